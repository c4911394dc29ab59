package dev.extsvc.server;

import dev.extsvc.runtime.CallbackReceiver;
import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.CallbackResponse;
import io.helidon.http.Header;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Adapts HTTP requests under /callbacks/ to the framework-neutral {@link CallbackReceiver}. */
final class CallbackRoute implements Handler {
  private static final String PREFIX = "/callbacks/";

  private final CallbackReceiver receiver;
  private final ReadDeadlines deadlines;

  CallbackRoute(CallbackReceiver receiver, ReadDeadlines deadlines) {
    this.receiver = receiver;
    this.deadlines = deadlines;
  }

  @Override
  public void handle(ServerRequest req, ServerResponse res) {
    String rawPath = req.path().rawPath();
    String path = rawPath.startsWith(PREFIX) ? rawPath.substring(PREFIX.length()) : "";
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Header h : req.headers()) {
      headers.computeIfAbsent(h.name(), n -> new ArrayList<>()).addAll(h.allValues());
    }
    byte[] body;
    if (req.headers().contentLength().orElse(0) > receiver.limits().maxBodyBytes()) {
      // Refuse before reading: the sender learns at once, and we do not drain what we would discard.
      res.header("Connection", "close");
      body = null;
    } else {
      try {
        body = Http.readBounded(req, receiver.limits().maxBodyBytes(), deadlines);
      } catch (Http.BodyTooSlowException e) {
        return; // the connection is closed; nobody is left to answer
      } catch (IOException | RuntimeException e) {
        Http.json(res, 400, "{\"message\":\"Unreadable body\"}");
        return;
      }
      if (body == null) {
        res.header("Connection", "close");
      }
    }
    CallbackResponse answer = receiver.handle(new CallbackRequest(
        req.prologue().method().text(), path, headers, body, req.remotePeer().host()));
    answer.headers().forEach(res::header);
    Http.json(res, answer.status(), answer.body());
  }
}
