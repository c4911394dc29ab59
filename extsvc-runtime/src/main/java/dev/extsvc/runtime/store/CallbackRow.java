package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One received callback.
 *
 * @param headers the request headers as a JSON object (tokens never appear in headers we keep)
 * @param dedupKey unique per invocation: the same key means the same callback (a repeat)
 * @param answerCode the status we answered, null while the handler has not finished
 * @param nextAttemptAt when a durable retry of a failed handler is due, null when none is scheduled
 * @param deadAt when durable retries were given up, null while the callback is alive
 */
public record CallbackRow(
    UUID id,
    UUID invocationId,
    String key,
    Instant receivedAt,
    String method,
    String headers,
    String body,
    String dedupKey,
    CallbackOutcome outcome,
    @Nullable Integer answerCode,
    int attempts,
    @Nullable String error,
    @Nullable Instant nextAttemptAt,
    @Nullable Instant deadAt) {

  /** A callback without retry state, as received. */
  public CallbackRow(
      UUID id,
      UUID invocationId,
      String key,
      Instant receivedAt,
      String method,
      String headers,
      String body,
      String dedupKey,
      CallbackOutcome outcome,
      @Nullable Integer answerCode,
      int attempts,
      @Nullable String error) {
    this(
        id,
        invocationId,
        key,
        receivedAt,
        method,
        headers,
        body,
        dedupKey,
        outcome,
        answerCode,
        attempts,
        error,
        null,
        null);
  }

  public boolean dead() {
    return deadAt != null;
  }
}
