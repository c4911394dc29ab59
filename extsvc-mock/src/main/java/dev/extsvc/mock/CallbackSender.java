package dev.extsvc.mock;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one callback over HTTP, retrying 5xx answers, 429 answers with {@code Retry-After} and
 * connection errors (or, on a {@link RetrySchedule}, any non-2xx answer), and describes what
 * happened as a {@link Delivery}, each attempt as a {@link CallbackAttempt}. A 429 or 503 answer's
 * {@code Retry-After} replaces the next wait, bounded by the policy's longest. The URL is only ever
 * shown masked.
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
    Duration asked = null; // the receiver's Retry-After, when its last answer carried one
    while (attempts < maxAttempts) {
      if (!pause(asked != null ? asked : waitBefore(attempts + 1))) {
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
        asked = retryAfter(response);
        if (schedule != null
            ? status >= 200 && status < 300
            : status < 500 && !(status == 429 && asked != null)) {
          break;
        }
        attemptFailed(
            operationId, key, method, masked, attempts, maxAttempts, "answered " + status, asked);
      } catch (IOException e) {
        asked = null;
        status = -1;
        answer = null;
        error =
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        attempted(operationId, key, masked, eventId, attempts, attemptAt, -1, error);
        attemptFailed(operationId, key, method, masked, attempts, maxAttempts, error, null);
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
      String what,
      @Nullable Duration asked) {
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
          (asked != null ? asked : waitBefore(attempt + 1)).toMillis());
    }
  }

  /**
   * The wait a 429 or 503 answer asks for in its {@code Retry-After} header (seconds or an HTTP
   * date), at most {@link #longestWait()}: a receiver that says when to come back is not hammered
   * sooner, nor waited on for longer than this sender's own policy would; null when the answer asks
   * for nothing (or says it in a form this does not read), so the policy's next wait applies.
   */
  private @Nullable Duration retryAfter(HttpResponse<?> response) {
    int status = response.statusCode();
    if (status != 429 && status != 503) {
      return null;
    }
    Duration asked =
        response
            .headers()
            .firstValue("Retry-After")
            .map(v -> retryAfter(v, Instant.now()))
            .orElse(null);
    if (asked == null) {
      return null;
    }
    Duration longest = longestWait();
    return asked.compareTo(longest) > 0 ? longest : asked;
  }

  /**
   * A {@code Retry-After} value as a wait from {@code now}: delta-seconds ({@code 120}) or an HTTP
   * date ({@code Wed, 21 Oct 2026 07:28:00 GMT}; a past one is no wait); null for anything else.
   */
  static @Nullable Duration retryAfter(String value, Instant now) {
    String v = value.strip();
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return v.length() > 9
          ? Duration.ofSeconds(999_999_999)
          : Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The longest wait of this sender's own policy: the schedule's, else the last linear backoff. */
  private Duration longestWait() {
    Duration longest = Duration.ZERO;
    int attempts = schedule != null ? schedule.attempts() : retries + 1;
    for (int n = 1; n <= attempts; n++) {
      Duration w = waitBefore(n);
      longest = w.compareTo(longest) > 0 ? w : longest;
    }
    return longest;
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
