package dev.extsvc.runtime;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A callback as it arrived over HTTP, independent of the web framework.
 *
 * @param path what follows the callback prefix: the token and any literal suffix, e.g.
 *     "TOKEN/events"
 * @param headers header names in any case
 * @param body the body bytes as read (the server enforces the size limit while reading); null when
 *     the body was larger than the limit
 */
public record CallbackRequest(
    String method,
    String path,
    Map<String, List<String>> headers,
    byte @Nullable [] body,
    String remoteAddress) {

  public @Nullable String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }
}
