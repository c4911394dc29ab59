package dev.extsvc.server.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.internal.Json;
import dev.extsvc.runtime.store.ActivityMinute;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.StoreUnavailableException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** The REST endpoints behind the console's actions that the API lacked: run a callback's handler again, overview. */
final class ConsoleApi {
  private final ExternalServices services;

  ConsoleApi(ExternalServices services) {
    this.services = services;
  }

  void register(HttpRules r) {
    r.post("/api/callbacks/{id}/retry", guard((req, res) -> retry(req.path().pathParameters().get("id"), res)));
    r.get("/api/overview", guard((req, res) -> overview(res)));
  }

  private static Handler guard(Handler h) {
    return (req, res) -> {
      try {
        h.handle(req, res);
      } catch (StoreUnavailableException e) {
        res.header("Retry-After", "5");
        json(res, 503, Json.message("Store unavailable, retry later"));
      }
    };
  }

  /** 200 with the handler's answer (which may itself be 500), 404 unknown, 409 not a failed callback. */
  private void retry(String idText, ServerResponse res) {
    UUID id;
    try {
      id = UUID.fromString(idText);
    } catch (IllegalArgumentException e) {
      json(res, 400, Json.message("'" + idText + "' is not a callback id"));
      return;
    }
    if (services.store().callback(id).isEmpty()) {
      json(res, 404, Json.message("No callback " + id));
      return;
    }
    CallbackResponse answer = services.retryCallback(id);
    if (answer.status() == 409) {
      json(res, 409, answer.body());
      return;
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.putObject("answer").put("status", answer.status()).set("body", Json.readTrusted(answer.body()));
    Optional<CallbackRow> row = services.store().callback(id);
    row.ifPresent(c -> out.set("callback", callbackJson(c)));
    json(res, 200, out.toString());
  }

  private void overview(ServerResponse res) {
    Instant now = services.clock().instant();
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("at", now.toString());
    ObjectNode counts = out.putObject("counts");
    services.store().countByStatus().forEach((status, n) -> counts.put(status.name(), n));
    ArrayNode minutes = out.putArray("lastHour");
    long callbacks = 0;
    long failures = 0;
    for (ActivityMinute m : services.store().activity(now.minus(Duration.ofHours(1)))) {
      minutes.addObject().put("minute", m.minute().toString()).put("submitted", m.submitted())
          .put("callbacks", m.callbacks()).put("failures", m.failures());
      callbacks += m.callbacks();
      failures += m.failures();
    }
    out.put("callbacksPerMinute", callbacks / 60.0);
    out.put("handlerFailures", failures);
    ArrayNode due = out.putArray("aboutToTimeOut");
    for (InvocationRow r : services.store().pendingDueBefore(now.plus(Duration.ofHours(1)), 20)) {
      due.addObject().put("id", r.id().toString()).put("service", r.service()).put("operation", r.operation())
          .put("deadline", r.deadline().toString());
    }
    ArrayNode failed = out.putArray("failedCallbacks");
    services.store().failedCallbacks(20).forEach(c -> failed.add(callbackJson(c)));
    json(res, 200, out.toString());
  }

  private static ObjectNode callbackJson(CallbackRow c) {
    ObjectNode cb = Json.MAPPER.createObjectNode();
    cb.put("id", c.id().toString()).put("invocationId", c.invocationId().toString()).put("key", c.key())
        .put("receivedAt", c.receivedAt().toString()).put("method", c.method()).put("outcome", c.outcome().name())
        .put("attempts", c.attempts()).put("answerCode", c.answerCode()).put("error", c.error());
    return cb;
  }

  private static void json(ServerResponse res, int status, String body) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(body);
  }
}
