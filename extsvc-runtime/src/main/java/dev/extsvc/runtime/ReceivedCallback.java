package dev.extsvc.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One callback as a handler sees it, after it was stored.
 *
 * @param request the request of the invocation as it was sent, callback tokens masked
 * @param submitTime when the invocation was submitted
 * @param callbackTimeout the invocation's deadline
 * @param callbackStatus the invocation's status when the callback arrived (PENDING for one being
 *     handled)
 * @param headers the callback's request headers (lower-case names)
 * @param body the callback's JSON body, null when it had none
 */
public record ReceivedCallback(
    UUID invocationId,
    String key,
    String method,
    RequestParts request,
    Instant submitTime,
    Instant callbackTimeout,
    InvocationStatus callbackStatus,
    Instant receivedAt,
    Map<String, String> headers,
    @Nullable JsonNode body) {

  public ReceivedCallback {
    headers = Map.copyOf(headers);
  }

  /** A header the callback carried (case-insensitive), or null. */
  public @Nullable String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
