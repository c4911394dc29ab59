package dev.extsvc.mock;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP attempt at sending a callback: a {@link Delivery} with retries is several of these.
 *
 * @param maskedUrl the callback URL with its secret parts masked; never the URL in clear
 * @param eventId the {@value Scenario#EVENT_ID_HEADER} it carried, the same on every attempt of one
 *     callback; null when it carried none
 * @param attempt 1 for the first attempt, 2 for the first retry, ...
 * @param status the answer's status code, or -1 when none came ({@code error} says why)
 */
public record CallbackAttempt(
    String operationId,
    String key,
    String maskedUrl,
    @Nullable String eventId,
    int attempt,
    Instant sentAt,
    int status,
    @Nullable String error) {

  /** Whether the receiver answered 2xx. */
  public boolean succeeded() {
    return status >= 200 && status < 300;
  }
}
