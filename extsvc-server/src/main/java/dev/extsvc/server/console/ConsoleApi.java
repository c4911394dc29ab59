package dev.extsvc.server.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.ActivityMinute;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.NodeLease;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.server.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;

/** The REST endpoints behind the console's overview and nodes view, which the API lacked. */
final class ConsoleApi {
  private final ExternalServices services;

  ConsoleApi(ExternalServices services) {
    this.services = services;
  }

  void register(HttpRules r) {
    r.get("/api/overview", guard((req, res) -> overview(res)));
    r.get("/api/nodes", guard((req, res) -> nodes(res)));
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

  /**
   * The nodes sharing the store, each alive or dead by the node timeout, and the leases it holds
   * (never a callback token: leases name the invocation and the callback by id).
   */
  private void nodes(ServerResponse res) {
    Views.Nodes page = Console.nodes(services, new Views.Chrome("Nodes", "nodes", false));
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("at", page.now().toString());
    out.put("nodeTimeout", page.nodeTimeout().toString());
    ArrayNode nodes = out.putArray("nodes");
    for (Views.NodeView n : page.nodes()) {
      ObjectNode node =
          nodes
              .addObject()
              .put("id", n.node().id())
              .put("host", n.node().host())
              .put("version", n.node().version())
              .put("startedAt", n.node().startedAt().toString())
              .put("heartbeatAt", n.node().heartbeatAt().toString())
              .put("self", n.self())
              .put("alive", n.alive())
              .put("draining", n.draining())
              .put("leaseCount", n.leases().size());
      ArrayNode leases = node.putArray("leases");
      n.leases().forEach(l -> leases.add(leaseJson(l)));
    }
    ArrayNode orphans = out.putArray("unregisteredLeases");
    page.orphans().forEach(l -> orphans.add(leaseJson(l)));
    out.put("truncated", page.truncated());
    json(res, 200, out.toString());
  }

  private static ObjectNode leaseJson(NodeLease l) {
    return Json.MAPPER
        .createObjectNode()
        .put("node", l.nodeId())
        .put("invocationId", l.invocationId().toString())
        .put("callbackId", l.callbackId().toString())
        .put("until", l.until().toString());
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
