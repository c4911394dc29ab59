package dev.extsvc.server;

import dev.extsvc.runtime.CallbackEndpoint;
import dev.extsvc.runtime.CallbackExchange;
import io.helidon.http.Header;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Helidon's glue to the shared {@link CallbackEndpoint}: requests under the callback path in,
 * answers out. The body is read under the slow-client deadlines; a body cut for being too slow is
 * answered 408 and its connection closed (no answer only where the deadlines could not keep the
 * output open).
 */
final class CallbackRoute implements Handler {
  private final CallbackEndpoint endpoint;
  private final ReadDeadlines deadlines;

  CallbackRoute(CallbackEndpoint endpoint, ReadDeadlines deadlines) {
    this.endpoint = endpoint;
    this.deadlines = deadlines;
  }

  @Override
  public void handle(ServerRequest req, ServerResponse res) {
    try {
      endpoint.serve(new Exchange(req, res, deadlines));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Exchange(ServerRequest req, ServerResponse res, ReadDeadlines deadlines)
      implements CallbackExchange {
    @Override
    public String method() {
      return req.prologue().method().text();
    }

    @Override
    public String rawPath() {
      return req.path().rawPath();
    }

    @Override
    public Map<String, List<String>> headers() {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (Header h : req.headers()) {
        headers.computeIfAbsent(h.name(), n -> new ArrayList<>()).addAll(h.allValues());
      }
      return headers;
    }

    @Override
    public long contentLength() {
      return req.headers().contentLength().orElse(-1);
    }

    @Override
    public InputStream body() {
      return req.content().hasEntity()
          ? Http.watchedBody(req, deadlines)
          : InputStream.nullInputStream();
    }

    @Override
    public String remoteAddress() {
      return req.remotePeer().host();
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] body) {
      res.status(status);
      headers.forEach(res::header);
      res.send(body);
    }

    @Override
    public boolean answerable(Exception readFailure) {
      if (readFailure instanceof Http.BodyTooSlowException slow) {
        // 408, not the endpoint's 400 "Unreadable body": the sender was too slow, the body fine
        if (slow.answerable()) {
          Http.tooSlow(res);
        }
        return false;
      }
      return true;
    }
  }
}
