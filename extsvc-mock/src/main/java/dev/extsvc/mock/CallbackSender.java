package dev.extsvc.mock;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one callback over HTTP, retrying 5xx answers and connection errors, and describes what
 * happened as a {@link Delivery}. The URL is only ever shown masked.
 */
final class CallbackSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallbackSender.class);

  private final HttpClient client;
  private final Duration requestTimeout;
  private final int retries;
  private final Duration backoff;
  private final InstantSource clock;

  CallbackSender(
      Duration connectTimeout,
      Duration requestTimeout,
      int retries,
      Duration backoff,
      InstantSource clock) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.requestTimeout = requestTimeout;
    this.retries = retries;
    this.backoff = backoff;
    this.clock = clock;
  }

  Delivery send(
      String operationId,
      String key,
      String method,
      String url,
      Map<String, String> headers,
      String body) {
    String masked = Urls.mask(url);
    Instant sentAt = clock.instant();
    if (!Urls.callable(url)) {
      return refused(
          operationId,
          key,
          method,
          masked,
          headers,
          body,
          sentAt,
          url.isEmpty()
              ? "the callback URL is empty: the request did not carry one"
              : "not an http(s) URL");
    }
    HttpRequest request;
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(requestTimeout)
              .header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(body));
      headers.forEach(b::header);
      request = b.build();
    } catch (IllegalArgumentException e) {
      return refused(
          operationId,
          key,
          method,
          masked,
          headers,
          body,
          sentAt,
          "cannot build request: " + e.getMessage());
    }
    int attempts = 0;
    int status = -1;
    String error = null;
    Instant answeredAt = null;
    String answer = null;
    while (attempts <= retries) {
      if (attempts > 0 && !pause(attempts)) {
        error = "interrupted";
        break;
      }
      attempts++;
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        status = response.statusCode();
        answer = response.body();
        answeredAt = clock.instant();
        error = null;
        if (status < 500) {
          break;
        }
        attemptFailed(operationId, key, method, masked, attempts, "answered " + status);
      } catch (IOException e) {
        status = -1;
        answer = null;
        error =
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        attemptFailed(operationId, key, method, masked, attempts, error);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        status = -1;
        error = "interrupted";
        break;
      }
    }
    Delivery d =
        new Delivery(
            operationId,
            key,
            method,
            masked,
            headers,
            body,
            status,
            answer,
            error,
            attempts,
            sentAt,
            answeredAt);
    if (d.succeeded()) {
      log.info(
          "Callback {}/{} {} {} answered {} after {} attempt(s)",
          operationId,
          key,
          method,
          masked,
          status,
          attempts);
    } else {
      log.warn(
          "Callback {}/{} {} {} failed after {} attempt(s): {}",
          operationId,
          key,
          method,
          masked,
          attempts,
          error != null ? error : "status " + status);
    }
    return d;
  }

  /** Each failed attempt is a line of the mock's log, with what comes next. */
  private void attemptFailed(
      String operationId, String key, String method, String masked, int attempt, String what) {
    if (attempt <= retries) {
      log.warn(
          "Callback {}/{} {} {} attempt {} of {} {}; next attempt in {} ms",
          operationId,
          key,
          method,
          masked,
          attempt,
          retries + 1,
          what,
          backoff.multipliedBy(attempt).toMillis());
    }
  }

  /** Waits a little longer before each retry; false when interrupted (the mock is closing). */
  private boolean pause(int attempt) {
    try {
      Thread.sleep(backoff.multipliedBy(attempt));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Delivery refused(
      String operationId,
      String key,
      String method,
      String masked,
      Map<String, String> headers,
      String body,
      Instant at,
      @Nullable String reason) {
    log.warn("Callback {}/{} not sent to {}: {}", operationId, key, masked, reason);
    return new Delivery(
        operationId, key, method, masked, headers, body, -1, null, reason, 0, at, null);
  }

  @Override
  public void close() {
    client.shutdownNow();
  }
}
