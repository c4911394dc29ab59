package dev.extsvc.server.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.ActivityMinute;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.NodeLease;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.server.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The REST endpoints behind the console's overview, nodes and early callbacks views, which the API
 * lacked.
 */
final class ConsoleApi {
  private final ExternalServices services;

  ConsoleApi(ExternalServices services) {
    this.services = services;
  }

  void register(HttpRules r) {
    r.get("/api/overview", guard((req, res) -> overview(res)));
    r.get("/api/nodes", guard((req, res) -> nodes(res)));
    r.get("/api/early-callbacks", guard(this::earlyCallbacks));
    r.post("/api/early-callbacks/{id}/replay", guard(this::replayEarly));
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

  /** Most early callbacks one request lists. */
  static final int MAX_EARLY = 1000;

  /**
   * {@code GET /api/early-callbacks?status=held|dead&limit=N}: the early callbacks held or dead
   * (both without {@code status}), newest first; never their headers (a signature) or body.
   */
  private void earlyCallbacks(ServerRequest req, ServerResponse res) {
    String status = req.query().first("status").orElse("").trim().toLowerCase(Locale.ROOT);
    String limitText = req.query().first("limit").orElse("50").trim();
    int limit;
    try {
      limit = Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_EARLY) {
      json(res, 400, Json.message("limit must be a number from 1 to " + MAX_EARLY));
      return;
    }
    List<EarlyCallbackRow> rows =
        switch (status) {
          case "held" -> services.store().earlyCallbacks(false, limit);
          case "dead" -> services.store().earlyCallbacks(true, limit);
          case "" -> services.store().earlyCallbacks(limit);
          default -> null;
        };
    if (rows == null) {
      json(res, 400, Json.message("status must be held or dead"));
      return;
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("hold", services.earlyCallbackHold().toString());
    ArrayNode list = out.putArray("earlyCallbacks");
    rows.forEach(e -> list.add(earlyJson(Views.EarlyCallbackView.of(e))));
    json(res, 200, out.toString());
  }

  /**
   * {@code POST /api/early-callbacks/{id}/replay}: a dead early callback held again (202), or
   * delivered at once when an invocation holds its value now (200); 409 once delivered, 404 for
   * none.
   */
  private void replayEarly(ServerRequest req, ServerResponse res) {
    UUID id;
    try {
      id = UUID.fromString(req.path().pathParameters().get("id"));
    } catch (IllegalArgumentException e) {
      json(res, 400, Json.message("that is not an early callback id"));
      return;
    }
    if (services.store().earlyCallback(id).isEmpty()) {
      json(res, 404, Json.message("No early callback " + id));
      return;
    }
    CallbackResponse answer = services.replay(id);
    ObjectNode out = Json.MAPPER.createObjectNode().put("answerCode", answer.status());
    out.set("answer", Json.readTrusted(answer.body()));
    services
        .store()
        .earlyCallback(id)
        .ifPresent(e -> out.set("earlyCallback", earlyJson(Views.EarlyCallbackView.of(e))));
    json(res, answer.status() == 409 ? 409 : 200, out.toString());
  }

  private static ObjectNode earlyJson(Views.EarlyCallbackView v) {
    EarlyCallbackRow e = v.row();
    ObjectNode out =
        Json.MAPPER
            .createObjectNode()
            .put("id", e.id().toString())
            .put("status", v.status())
            .put("service", e.service())
            .put("operation", e.operation())
            .put("key", e.key())
            .put("value", e.value())
            .put("receivedAt", e.receivedAt().toString())
            .put("holdUntil", e.holdUntil().toString())
            .put("reason", v.reason());
    Instant deadAt = e.deadAt();
    out.put("deadAt", deadAt == null ? null : deadAt.toString());
    UUID deliveredTo = e.deliveredTo();
    out.put("deliveredTo", deliveredTo == null ? null : deliveredTo.toString());
    return out;
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
