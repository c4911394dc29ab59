package dev.extsvc.mock;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one callback over HTTP, retrying 5xx answers and connection errors (or, on a {@link
 * RetrySchedule}, any non-2xx answer), and describes what happened as a {@link Delivery}, each
 * attempt as a {@link CallbackAttempt}. The URL is only ever shown masked.
 */
final class CallbackSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallbackSender.class);

  private final HttpClient client;
  private final Duration requestTimeout;
  private final int retries;
  private final Duration backoff;
  private final InstantSource clock;
  private final @Nullable RetrySchedule schedule;
  private final Consumer<CallbackAttempt> attemptLog;

  CallbackSender(
      Duration connectTimeout,
      Duration requestTimeout,
      int retries,
      Duration backoff,
      InstantSource clock) {
    this(connectTimeout, requestTimeout, retries, backoff, clock, null, a -> {});
  }

  /**
   * @param schedule when given, replaces {@code retries} and {@code backoff}: its waits, retrying
   *     every non-2xx answer
   * @param attemptLog told of every attempt, on the sending thread
   */
  CallbackSender(
      Duration connectTimeout,
      Duration requestTimeout,
      int retries,
      Duration backoff,
      InstantSource clock,
      @Nullable RetrySchedule schedule,
      Consumer<CallbackAttempt> attemptLog) {
    this.schedule = schedule;
    this.attemptLog = attemptLog;
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
      Map<String, String> given,
      String body) {
    String masked = Urls.mask(url);
    Map<String, String> headers = new LinkedHashMap<>(given);
    String eventId = eventId(headers);
    if (eventId == null && schedule != null) {
      // a retry series is one event: the receiver must be able to tell the attempts are repeats
      eventId = UUID.randomUUID().toString();
      headers.put(Scenario.EVENT_ID_HEADER, eventId);
    }
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
    int maxAttempts = schedule != null ? schedule.attempts() : retries + 1;
    while (attempts < maxAttempts) {
      if (!pause(waitBefore(attempts + 1))) {
        error = "interrupted";
        break;
      }
      attempts++;
      Instant attemptAt = clock.instant();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        status = response.statusCode();
        answer = response.body();
        answeredAt = clock.instant();
        error = null;
        attempted(operationId, key, masked, eventId, attempts, attemptAt, status, null);
        if (schedule != null ? status >= 200 && status < 300 : status < 500) {
          break;
        }
        attemptFailed(
            operationId, key, method, masked, attempts, maxAttempts, "answered " + status);
      } catch (IOException e) {
        status = -1;
        answer = null;
        error =
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        attempted(operationId, key, masked, eventId, attempts, attemptAt, -1, error);
        attemptFailed(operationId, key, method, masked, attempts, maxAttempts, error);
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
      String operationId,
      String key,
      String method,
      String masked,
      int attempt,
      int maxAttempts,
      String what) {
    if (attempt < maxAttempts) {
      log.warn(
          "Callback {}/{} {} {} attempt {} of {} {}; next attempt in {} ms",
          operationId,
          key,
          method,
          masked,
          attempt,
          maxAttempts,
          what,
          waitBefore(attempt + 1).toMillis());
    }
  }

  private void attempted(
      String operationId,
      String key,
      String masked,
      @Nullable String eventId,
      int attempt,
      Instant at,
      int status,
      @Nullable String error) {
    try {
      attemptLog.accept(
          new CallbackAttempt(operationId, key, masked, eventId, attempt, at, status, error));
    } catch (RuntimeException e) {
      log.warn("Recording an attempt of {}/{} failed", operationId, key, e);
    }
  }

  /** The wait before attempt {@code n} (1 is the first): the schedule's, else linear backoff. */
  private Duration waitBefore(int n) {
    if (schedule != null) {
      return schedule.waitBefore(n);
    }
    return n <= 1 ? Duration.ZERO : backoff.multipliedBy(n - 1L);
  }

  private static @Nullable String eventId(Map<String, String> headers) {
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (h.getKey().equalsIgnoreCase(Scenario.EVENT_ID_HEADER)) {
        return h.getValue();
      }
    }
    return null;
  }

  /** Waits before an attempt; false when interrupted (the mock is closing). */
  private static boolean pause(Duration wait) {
    if (wait.isZero()) {
      return true;
    }
    try {
      Thread.sleep(wait);
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
