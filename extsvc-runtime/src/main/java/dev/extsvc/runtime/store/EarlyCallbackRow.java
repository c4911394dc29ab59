package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A callback that arrived at a service's shared address before any invocation held its correlation
 * value: held until {@code holdUntil}, then delivered or dead.
 *
 * @param headers the request headers as a JSON object, secret ones masked
 * @param body the body as JSON text (a form body is stored as its JSON object)
 * @param dedupKey unique per service: a sender's repeat is the same row
 * @param deadAt when it was given up unmatched, null while held or once delivered
 * @param deliveredTo the invocation it was delivered to, null until then
 */
public record EarlyCallbackRow(
    UUID id,
    String service,
    String operation,
    String key,
    String value,
    Instant receivedAt,
    String method,
    String headers,
    String body,
    String dedupKey,
    Instant holdUntil,
    @Nullable Instant deadAt,
    @Nullable UUID deliveredTo) {

  public boolean dead() {
    return deadAt != null;
  }

  public boolean held() {
    return deadAt == null && deliveredTo == null;
  }
}
