package dev.extsvc.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The answers Helidon sends by itself, before any route runs (a request it cannot parse, a request
 * line or headers over the limits, an unexpected failure): 414 for a request line over {@code
 * maxRequestLine}, 431 for headers over {@code maxHeaderSize} (Helidon says 400), else Helidon's
 * status; always a short JSON message of ours, never the exception's text, which may quote the
 * request.
 */
final class HttpErrors implements DirectHandler {
  // Helidon's wording when the headers pass maxHeadersSize (Http1HeadersParser); the only way the
  // handler can tell them from other malformed headers.
  private static final String HEADERS_TOO_LARGE = "Header size exceeded";

  // Helidon names no constant for it.
  static final Status HEADERS_TOO_LARGE_431 = Status.create(431, "Request Header Fields Too Large");

  private final int maxRequestLine;
  private final int maxHeaderSize;

  private HttpErrors(int maxRequestLine, int maxHeaderSize) {
    this.maxRequestLine = maxRequestLine;
    this.maxHeaderSize = maxHeaderSize;
  }

  /** These answers for every kind of event. */
  static DirectHandlers all(int maxRequestLine, int maxHeaderSize) {
    HttpErrors handler = new HttpErrors(maxRequestLine, maxHeaderSize);
    DirectHandlers.Builder b = DirectHandlers.builder();
    for (EventType type : EventType.values()) {
      b.addHandler(type, handler);
    }
    return b.build();
  }

  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType eventType,
      Status defaultStatus,
      ServerResponseHeaders responseHeaders,
      @Nullable String message) {
    Status status = status(defaultStatus, message);
    String text =
        switch (status.code()) {
          case 414 -> "Request line longer than " + maxRequestLine + " bytes";
          case 431 -> "Request headers larger than " + maxHeaderSize + " bytes";
          case 400 -> "Bad request: malformed HTTP";
          default -> status.reasonPhrase();
        };
    byte[] body = Json.message(text).getBytes(StandardCharsets.UTF_8);
    responseHeaders.set(HeaderNames.CONTENT_TYPE, "application/json");
    responseHeaders.set(HeaderNames.CACHE_CONTROL, "no-store");
    return TransportResponse.builder()
        .status(status)
        .headers(responseHeaders)
        .keepAlive(status.code() < 400 && eventType.keepAlive())
        .entity(body)
        .build();
  }

  static Status status(Status defaultStatus, @Nullable String message) {
    if (defaultStatus.code() == 400 && message != null && message.startsWith(HEADERS_TOO_LARGE)) {
      return HEADERS_TOO_LARGE_431;
    }
    return defaultStatus;
  }
}
