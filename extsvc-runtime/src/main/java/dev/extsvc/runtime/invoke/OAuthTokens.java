package dev.extsvc.runtime.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.credentials.OAuth2ClientCredentials;
import dev.extsvc.runtime.support.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current access token of one OAuth 2.0 client-credentials credential. Kept until shortly
 * before it expires; callers that find it stale wait on one lock, so a burst of them causes one
 * fetch, not one each.
 */
final class OAuthTokens {
  /**
   * Refresh this long before expiry (or a tenth of the lifetime, if shorter), so no token expires
   * in flight.
   */
  static final Duration EARLY = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(OAuthTokens.class);

  /**
   * Sends the token request; the service's callout path, so the address policy and limits apply.
   */
  interface Sender {
    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException;
  }

  private record Token(String value, @Nullable Instant refreshAt) {}

  private final OAuth2ClientCredentials credential;
  private final Sender sender;
  private final InstantSource clock;
  private final Duration timeout;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile @Nullable Token current;

  OAuthTokens(
      OAuth2ClientCredentials credential, Sender sender, InstantSource clock, Duration timeout) {
    this.credential = credential;
    this.sender = sender;
    this.clock = clock;
    this.timeout = timeout;
  }

  String token() throws IOException, InterruptedException {
    Token t = current;
    if (t != null && fresh(t)) {
      return t.value();
    }
    lock.lock();
    try {
      t = current;
      if (t != null && fresh(t)) {
        return t.value(); // another caller fetched it while this one waited
      }
      t = fetch();
      current = t;
      return t.value();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The service refused this token (401): forget it, unless another caller has already replaced it.
   */
  void rejected(String token) {
    lock.lock();
    try {
      Token t = current;
      if (t != null && t.value().equals(token)) {
        current = null;
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean fresh(@Nullable Token t) {
    return t != null && (t.refreshAt() == null || clock.instant().isBefore(t.refreshAt()));
  }

  private Token fetch() throws IOException, InterruptedException {
    String form =
        "grant_type=client_credentials"
            + (credential.scopes().isEmpty()
                ? ""
                : "&scope=" + encode(String.join(" ", credential.scopes())));
    // RFC 6749 2.3.1: id and secret are form-encoded before they are joined for basic
    // authentication
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (encode(credential.clientId()) + ":" + encode(credential.clientSecret().value()))
                    .getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(credential.tokenUrl())
            .timeout(timeout)
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    Instant asked = clock.instant();
    HttpResponse<String> response = sender.send(request);
    String where = "credential " + credential.name() + ": token endpoint " + credential.tokenUrl();
    JsonNode body;
    try {
      body = Json.untrusted(32, 40, 64 * 1024).readTree(response.body());
    } catch (IOException e) {
      body = null;
    }
    if (response.statusCode() / 100 != 2) {
      String error = body == null ? "" : body.path("error").asText("");
      throw new ExtsvcException(
          where
              + " answered "
              + response.statusCode()
              + (error.isEmpty() ? "" : " (" + error.replaceAll("[^A-Za-z0-9_.-]", "") + ")"));
    }
    if (body == null
        || !body.path("access_token").isTextual()
        || body.get("access_token").textValue().isEmpty()) {
      throw new ExtsvcException(where + " answered without an access_token");
    }
    String type = body.path("token_type").asText("bearer");
    if (!type.equalsIgnoreCase("bearer")) {
      throw new ExtsvcException(
          where + " issued a token of type '" + type + "'; only bearer tokens are supported");
    }
    Instant refreshAt = null;
    if (body.path("expires_in").canConvertToLong() && body.get("expires_in").asLong() > 0) {
      Duration lifetime = Duration.ofSeconds(body.get("expires_in").asLong());
      Duration early = lifetime.dividedBy(10).compareTo(EARLY) < 0 ? lifetime.dividedBy(10) : EARLY;
      refreshAt = asked.plus(lifetime).minus(early);
    }
    log.debug(
        "Fetched an access token for credential {} (refresh at {})", credential.name(), refreshAt);
    return new Token(body.get("access_token").textValue(), refreshAt);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
