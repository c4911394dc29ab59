package dev.extsvc.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;

/** Small helpers for JSON answers. */
final class Http {
  private Http() {}

  /** Reads at most {@code max} bytes of the body (chunked bodies too); null when the body is larger. */
  static byte @org.jspecify.annotations.Nullable [] readBounded(ServerRequest req, int max) throws IOException {
    if (!req.content().hasEntity()) {
      return new byte[0];
    }
    try (InputStream in = req.content().inputStream()) {
      byte[] bytes = in.readNBytes(max + 1);
      return bytes.length > max ? null : bytes;
    }
  }

  static void json(ServerResponse res, int status, String json) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(json);
  }
}
