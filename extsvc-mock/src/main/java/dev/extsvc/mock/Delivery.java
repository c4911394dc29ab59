package dev.extsvc.mock;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One callback the mock sent, or tried to send.
 *
 * @param url the callback URL with its secret parts masked (see {@link MockService}); never the URL in clear
 * @param headers the headers sent besides Content-Type
 * @param body the JSON text sent
 * @param status the answer's status code, or -1 when there was none (then {@code error} says why)
 * @param attempts how many times it was sent; 0 when it could not be sent at all
 * @param answeredAt when the last answer came, or null when none did
 */
public record Delivery(
    String operationId,
    String key,
    String url,
    String method,
    Map<String, String> headers,
    String body,
    int status,
    @Nullable String error,
    int attempts,
    Instant sentAt,
    @Nullable Instant answeredAt) {

  public Delivery {
    Objects.requireNonNull(operationId, "operationId");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(method, "method");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(sentAt, "sentAt");
  }

  /** Whether the receiver answered 2xx. */
  public boolean ok() {
    return status >= 200 && status < 300;
  }
}
