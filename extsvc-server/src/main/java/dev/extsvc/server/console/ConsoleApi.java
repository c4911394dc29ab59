package dev.extsvc.server.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.ActivityMinute;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.server.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;

/** The REST endpoint behind the console's overview, which the API lacked. */
final class ConsoleApi {
  private final ExternalServices services;

  ConsoleApi(ExternalServices services) {
    this.services = services;
  }

  void register(HttpRules r) {
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
      minutes
          .addObject()
          .put("minute", m.minute().toString())
          .put("submitted", m.submitted())
          .put("callbacks", m.callbacks())
          .put("failures", m.failures());
      callbacks += m.callbacks();
      failures += m.failures();
    }
    out.put("callbacksPerMinute", callbacks / 60.0);
    out.put("handlerFailures", failures);
    ArrayNode due = out.putArray("aboutToTimeOut");
    for (InvocationRow r : services.store().pendingDueBefore(now.plus(Duration.ofHours(1)), 20)) {
      due.addObject()
          .put("id", r.id().toString())
          .put("service", r.service())
          .put("operation", r.operation())
          .put("deadline", r.deadline().toString());
    }
    ArrayNode failed = out.putArray("failedCallbacks");
    services.store().failedCallbacks(20).forEach(c -> failed.add(callbackJson(c)));
    ArrayNode alerts = out.putArray("alerts");
    services.alerts().forEach(a -> alerts.add(Json.alert(a)));
    json(res, 200, out.toString());
  }

  private static ObjectNode callbackJson(CallbackRow c) {
    ObjectNode cb = Json.MAPPER.createObjectNode();
    cb.put("id", c.id().toString())
        .put("invocationId", c.invocationId().toString())
        .put("key", c.key())
        .put("receivedAt", c.receivedAt().toString())
        .put("method", c.method())
        .put("outcome", c.outcome().name())
        .put("attempts", c.attempts())
        .put("answerCode", c.answerCode())
        .put("error", c.error());
    return cb;
  }

  private static void json(ServerResponse res, int status, String body) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(body);
  }
}
