package dev.extsvc.mock;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One callback the mock sent, or tried to send.
 *
 * @param maskedUrl the callback URL with its secret parts masked (see {@link MockService}); never
 *     the URL in clear
 * @param headers the headers sent besides Content-Type
 * @param body the JSON text sent
 * @param status the answer's status code, or -1 when there was none (then {@code error} says why)
 * @param answer the answer's body (its first {@value #MAX_ANSWER_CHARS} characters), null when none
 *     came
 * @param attempts how many times it was sent; 0 when it could not be sent at all
 * @param answeredAt when the last answer came, or null when none did
 */
public record Delivery(
    String operationId,
    String key,
    String method,
    String maskedUrl,
    Map<String, String> headers,
    String body,
    int status,
    @Nullable String answer,
    @Nullable String error,
    int attempts,
    Instant sentAt,
    @Nullable Instant answeredAt) {

  /** Answers are kept only this long: enough for a receiver's error message. */
  public static final int MAX_ANSWER_CHARS = 2_000;

  public Delivery {
    Objects.requireNonNull(operationId, "operationId");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(maskedUrl, "maskedUrl");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(body, "body");
    if (answer != null && answer.length() > MAX_ANSWER_CHARS) {
      answer = answer.substring(0, MAX_ANSWER_CHARS);
    }
    Objects.requireNonNull(sentAt, "sentAt");
  }

  /** Whether the receiver answered 2xx. */
  public boolean succeeded() {
    return status >= 200 && status < 300;
  }
}
