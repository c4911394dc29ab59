package dev.extsvc.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Small helpers for request bodies and JSON answers. */
final class Http {
  private Http() {}

  /**
   * Reads at most {@code max} bytes of the body (chunked bodies too); null when the body is larger.
   *
   * @throws BodyTooSlowException when the client sent it slower than the minimum rate (the connection is closed)
   */
  static byte @org.jspecify.annotations.Nullable [] readBounded(ServerRequest req, int max, ReadDeadlines deadlines)
      throws IOException {
    if (!req.content().hasEntity()) {
      return new byte[0];
    }
    try (ReadDeadlines.BodyWatch watch = deadlines.watchBody()) {
      try (InputStream in = req.content().inputStream()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        // Stop at the declared length: Helidon's stream may block for more instead of ending there.
        long declared = req.headers().contentLength().orElse(-1);
        int limit = declared >= 0 && declared <= max ? (int) declared : max + 1;
        int total = 0;
        while (total < limit) {
          int n = in.read(buffer, 0, Math.min(buffer.length, limit - total));
          if (n < 0) {
            break;
          }
          watch.progress(n);
          out.write(buffer, 0, n);
          total += n;
        }
        return total > max ? null : out.toByteArray();
      } catch (IOException | RuntimeException e) {
        if (watch.killed()) {
          throw new BodyTooSlowException();
        }
        throw e;
      }
    }
  }

  static void json(ServerResponse res, int status, String json) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(json);
  }

  /** The body came slower than the minimum rate; its connection is closed. */
  static final class BodyTooSlowException extends IOException {
    BodyTooSlowException() {
      super("Request body slower than the minimum rate");
    }
  }
}
