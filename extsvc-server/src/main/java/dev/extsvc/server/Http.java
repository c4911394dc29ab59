package dev.extsvc.server;

import dev.extsvc.runtime.CallbackEndpoint;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/** Small helpers for request bodies and JSON answers. */
final class Http {
  private Http() {}

  /**
   * Reads at most {@code max} bytes of the body (chunked bodies too); null when the body is larger.
   *
   * @throws BodyTooSlowException when the client sent it slower than the minimum rate (the
   *     connection is closed)
   */
  static byte @Nullable [] readBounded(ServerRequest req, int max, ReadDeadlines deadlines)
      throws IOException {
    if (!req.content().hasEntity()) {
      return new byte[0];
    }
    try (InputStream in = watchedBody(req, deadlines)) {
      return CallbackEndpoint.readBounded(in, req.headers().contentLength().orElse(-1), max);
    }
  }

  /**
   * The body as a stream watched by the slow-client deadlines until it is closed; a read cut for
   * being too slow fails with {@link BodyTooSlowException}.
   */
  static InputStream watchedBody(ServerRequest req, ReadDeadlines deadlines) {
    ReadDeadlines.BodyWatch watch = deadlines.watchBody(req.serverSocketId(), req.socketId());
    InputStream in;
    try {
      in = req.content().inputStream();
    } catch (RuntimeException e) {
      watch.close();
      throw e;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          int n = super.read(b, off, len);
          if (n > 0) {
            watch.progress(n);
          }
          return n;
        } catch (IOException | RuntimeException e) {
          throw slowOr(e, watch);
        }
      }

      @Override
      public void close() throws IOException {
        try {
          super.close();
        } catch (IOException | RuntimeException e) {
          throw slowOr(e, watch);
        } finally {
          watch.close();
        }
      }
    };
  }

  /** The failure of a read the deadlines cut is that it was too slow, whatever the stream threw. */
  private static IOException slowOr(Exception e, ReadDeadlines.BodyWatch watch) {
    if (watch.killed()) {
      return new BodyTooSlowException(watch.answerable());
    }
    if (e instanceof RuntimeException r) {
      throw r;
    }
    return (IOException) e;
  }

  static void json(ServerResponse res, int status, String json) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(json);
  }

  /** 408 with {@code Connection: close}: the body came slower than the minimum rate. */
  static void tooSlow(ServerResponse res) {
    res.header(HeaderNames.CONNECTION, "close");
    json(res, 408, Json.message("Request body slower than the minimum rate"));
  }

  /**
   * The body came slower than the minimum rate: its input is shut ({@link #answerable()}: answer
   * 408), or, where that was not possible, its connection is closed (nobody to answer).
   */
  static final class BodyTooSlowException extends IOException {
    private final boolean answerable;

    BodyTooSlowException(boolean answerable) {
      super("Request body slower than the minimum rate");
      this.answerable = answerable;
    }

    boolean answerable() {
      return answerable;
    }
  }
}
