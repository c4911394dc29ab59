package dev.extsvc.mock;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One callback the mock sent (or tried to).
 *
 * @param maskedUrl the callback URL with its secret last segment masked
 * @param status the answer's status, -1 when no answer came
 * @param error why no answer came, null when one did
 */
public record Delivery(
    String operationId,
    String key,
    String method,
    String maskedUrl,
    String body,
    int status,
    @Nullable String answer,
    @Nullable String error,
    int attempts,
    Instant sentAt,
    Instant answeredAt) {

  public boolean succeeded() {
    return status >= 200 && status < 300;
  }
}
