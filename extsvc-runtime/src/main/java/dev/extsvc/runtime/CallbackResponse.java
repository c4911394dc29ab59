package dev.extsvc.runtime;

import dev.extsvc.runtime.support.Json;
import java.util.Map;

/** The answer to a callback's sender: a status, a small JSON body and headers. */
public record CallbackResponse(int status, String body, Map<String, String> headers) {
  public CallbackResponse {
    headers = Map.copyOf(headers);
  }

  /** An answer whose body is {@code {"message": ...}}. */
  public static CallbackResponse of(int status, String message) {
    return of(status, message, Map.of());
  }

  /** An answer whose body is {@code {"message": ...}}, with headers. */
  public static CallbackResponse of(int status, String message, Map<String, String> headers) {
    return new CallbackResponse(status, Json.message(message), headers);
  }
}
