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

  /**
   * What a round of posts came to.
   *
   * @param sent whether the webhook took it (a 2xx answer)
   * @param attempts how many posts the round made
   * @param answer the last answer ("HTTP 200", "HTTP 503", an exception's class name)
   */
  record Round(boolean sent, int attempts, String answer) {}

  /** Posts in the background; {@code done} gets the delivery's description. */
  void post(Alert alert, Consumer<String> done) {
    Thread.ofVirtual()
        .name("extsvc-alert-post")
        .start(() -> done.accept(describe(alert, round(alert))));
  }

  /** Posts in the background; {@code done} gets the round's result. */
  void postRound(Alert alert, Consumer<Round> done) {
    Thread.ofVirtual().name("extsvc-alert-post").start(() -> done.accept(round(alert)));
  }

  /**
   * Posts the alert's current state, trying again after each of {@link #RETRY_DELAYS} while the
   * webhook does not take it; on the calling thread.
   */
  Round round(Alert alert) {
    byte[] body = AlertText.body(alert, node, consoleBase);
    String messageId = "alert_" + alert.id() + "_" + (alert.firing() ? "firing" : "resolved");
    String last = "not tried";
    int attempts = 0;
    for (int attempt = 0; attempt <= RETRY_DELAYS.size(); attempt++) {
      if (attempt > 0) {
        try {
          Thread.sleep(RETRY_DELAYS.get(attempt - 1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new Round(false, attempts, "stopped (" + last + ")");
        }
      }
      attempts++;
      try {
        HttpResponse<Void> response =
            http.send(request(messageId, body), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 == 2) {
          return new Round(true, attempts, "HTTP " + response.statusCode());
        }
        last = "HTTP " + response.statusCode();
      } catch (IOException | IllegalArgumentException | SecurityException e) {
        last = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Round(false, attempts, "stopped (" + last + ")");
      }
    }
    log.warn(
        "Alert {} ({} {}) not sent: {} after {} attempts to the webhook on {}",
        alert.id(),
        alert.rule().label(),
        alert.firing() ? "firing" : "resolved",
        last,
        attempts,
        webhook.url().getHost());
    return new Round(false, attempts, last);
  }

  /** "sent (HTTP 200)", or "not sent: HTTP 503 after 3 attempts to the webhook". */
  static String describe(Alert alert, Round round) {
    if (round.sent()) {
      return "sent (" + round.answer() + ")";
    }
    return "not sent: "
        + round.answer()
        + " after "
        + round.attempts()
        + " attempts to the webhook";
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
