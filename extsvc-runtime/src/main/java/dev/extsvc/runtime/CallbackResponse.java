package dev.extsvc.runtime;

import java.util.Map;

/** The answer to a callback's sender: a status, a small JSON body and headers. */
public record CallbackResponse(int status, String body, Map<String, String> headers) {
  public CallbackResponse {
    headers = Map.copyOf(headers);
  }

  static CallbackResponse of(int status, String message) {
    return of(status, message, Map.of());
  }

  static CallbackResponse of(int status, String message, Map<String, String> headers) {
    return new CallbackResponse(status, dev.extsvc.runtime.internal.Json.message(message), headers);
  }
}
