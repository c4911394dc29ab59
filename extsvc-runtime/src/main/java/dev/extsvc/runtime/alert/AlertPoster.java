package dev.extsvc.runtime.alert;

import dev.extsvc.runtime.Alert;
import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.credentials.Secret;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts alerts to the webhook, signed like Standard Webhooks ({@code webhook-id}, {@code
 * webhook-timestamp}, {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>}), in
 * the background with a few retries. The URL is never logged or shown: chat webhooks carry their
 * secret in the path.
 */
final class AlertPoster {
  private static final Logger log = LoggerFactory.getLogger(AlertPoster.class);
  static final List<Duration> RETRY_DELAYS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(3));
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final AlertRules.Webhook webhook;
  private final HttpClient http;
  private final String node;
  private final String consoleBase;
  // Signatures are checked against the receiver's wall clock, whatever clock deadlines use.
  private final InstantSource wallClock = InstantSource.system();

  AlertPoster(AlertRules.Webhook webhook, HttpClient http, String node, String consoleBase) {
    this.webhook = webhook;
    this.http = http;
    this.node = node;
    this.consoleBase = consoleBase;
  }

  /** Posts in the background; {@code done} gets the delivery's description. */
  void post(Alert alert, Consumer<String> done) {
    byte[] body = AlertText.body(alert, node, consoleBase);
    String messageId = "alert_" + alert.id() + "_" + (alert.firing() ? "firing" : "resolved");
    Thread.ofVirtual()
        .name("extsvc-alert-post")
        .start(() -> done.accept(deliver(alert, messageId, body)));
  }

  private String deliver(Alert alert, String messageId, byte[] body) {
    String last = "not tried";
    for (int attempt = 0; attempt <= RETRY_DELAYS.size(); attempt++) {
      if (attempt > 0) {
        try {
          Thread.sleep(RETRY_DELAYS.get(attempt - 1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "not sent: stopped (" + last + ")";
        }
      }
      try {
        HttpResponse<Void> response =
            http.send(request(messageId, body), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 == 2) {
          return "sent (HTTP " + response.statusCode() + ")";
        }
        last = "HTTP " + response.statusCode();
      } catch (IOException | IllegalArgumentException | SecurityException e) {
        last = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "not sent: stopped (" + last + ")";
      }
    }
    String what =
        "not sent: " + last + " after " + (RETRY_DELAYS.size() + 1) + " attempts to the webhook";
    log.warn(
        "Alert {} ({} {}) {} on {}",
        alert.id(),
        alert.rule().label(),
        alert.firing() ? "firing" : "resolved",
        what,
        webhook.url().getHost());
    return what;
  }

  private HttpRequest request(String messageId, byte[] body) {
    long timestamp = wallClock.instant().getEpochSecond();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(webhook.url())
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .header("User-Agent", "extsvc-alerts")
            .header("webhook-id", messageId)
            .header("webhook-timestamp", Long.toString(timestamp))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    Secret secret = webhook.secret();
    if (secret != null) {
      b.header("webhook-signature", sign(secret.value(), messageId, timestamp, body));
    }
    return b.build();
  }

  /** {@code v1,} and the base64 HMAC-SHA256 of {@code id.timestamp.body} under the secret. */
  static String sign(String secret, String messageId, long timestamp, byte[] body) {
    String key = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
    byte[] keyBytes;
    try {
      keyBytes = Base64.getDecoder().decode(key);
    } catch (IllegalArgumentException e) {
      // Not base64: a plain shared string, as some receivers configure it.
      keyBytes = key.getBytes(StandardCharsets.UTF_8);
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keyBytes, "HmacSHA256"));
      mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  static HttpClient defaultClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }
}
