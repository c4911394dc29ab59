package dev.extsvc.mock;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A request the mock received, as it came: tests read it to see where the caller wrote its callback
 * URLs.
 *
 * @param operationId the operation it matched, or null when it matched none (answered 404 or 405)
 * @param path the path as received (still percent-encoded)
 * @param pathParameters decoded values of the operation's path parameters
 * @param query decoded query parameters
 * @param headers by name, case-insensitive; repeated headers joined with ", "
 * @param body the body as UTF-8 text, "" when there was none
 */
public record RecordedRequest(
    @Nullable String operationId,
    String method,
    String path,
    Map<String, String> pathParameters,
    Map<String, List<String>> query,
    Map<String, String> headers,
    String body,
    Instant receivedAt) {

  public RecordedRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    pathParameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pathParameters));
    Map<String, List<String>> q = new LinkedHashMap<>();
    query.forEach((k, v) -> q.put(k, List.copyOf(v)));
    query = java.util.Collections.unmodifiableMap(q);
    Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.putAll(headers);
    headers = java.util.Collections.unmodifiableMap(h);
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(receivedAt, "receivedAt");
  }

  public @Nullable String header(String name) {
    return headers.get(name);
  }

  public @Nullable String firstQuery(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
