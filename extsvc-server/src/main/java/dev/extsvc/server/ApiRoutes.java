package dev.extsvc.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.CalloutException;
import dev.extsvc.runtime.DeadlineExtensionException;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.RequestProblem;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationCursor;
import dev.extsvc.runtime.store.InvocationPage;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationSort;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Parameter;
import dev.extsvc.spec.ParameterLocation;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.ServiceDefinition;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JSON REST API under /api: services, invocations, their callbacks and debug log. */
final class ApiRoutes {
  private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
  private static final int MAX_SPEC_BYTES = 10 * 1024 * 1024 + 1;
  private static final int MAX_INVOKE_BYTES = 1024 * 1024;

  private final ExternalServices services;
  private final ReadDeadlines deadlines;

  ApiRoutes(ExternalServices services, ReadDeadlines deadlines) {
    this.services = services;
    this.deadlines = deadlines;
  }

  /**
   * The load balancer's probes, open without the admin token and saying nothing but a status;
   * register them before the token's guard: {@code /api/health/live} is 200 while the process
   * answers, {@code /api/health/ready} 200 while this node should get traffic (store reachable, not
   * draining), else 503.
   */
  void registerProbes(HttpRules r) {
    r.get("/api/health/live", (req, res) -> probe(res, true, "UP", "DOWN"));
    r.get("/api/health/ready", (req, res) -> probe(res, services.ready(), "READY", "NOT_READY"));
  }

  private static void probe(ServerResponse res, boolean ok, String yes, String no) {
    Http.json(
        res,
        ok ? 200 : 503,
        Json.MAPPER.createObjectNode().put("status", ok ? yes : no).toString());
  }

  void register(HttpRules r) {
    r.get("/api/health", guard(this::health));
    r.get("/api/services", guard(this::listServices));
    r.post("/api/services", guard(this::registerService));
    r.get("/api/services/{name}", guard(this::getService));
    r.post("/api/invocations", guard(this::invoke));
    r.get("/api/invocations", guard(this::listInvocations));
    r.get("/api/invocations/{id}", guard(this::getInvocation));
    r.post("/api/invocations/{id}/cancel", guard(this::cancel));
    r.post("/api/invocations/{id}/extend", guard(this::extend));
    r.post("/api/callbacks/{id}/replay", guard(this::replay));
    r.get("/api/alerts", guard(this::alerts));
  }

  /** Turns failures into clear JSON answers; never a stack trace to the client. */
  private Handler guard(Handler h) {
    return (req, res) -> {
      try {
        h.handle(req, res);
      } catch (Http.BodyTooSlowException e) {
        if (!e.answerable()) {
          throw e; // the connection is closed: nobody to answer
        }
        Http.tooSlow(res);
      } catch (BadRequest e) {
        Http.json(res, 400, Json.message(Objects.toString(e.getMessage(), "Bad request")));
      } catch (StoreUnavailableException e) {
        res.header("Retry-After", "5");
        Http.json(res, 503, Json.message("Store unavailable, retry later"));
      } catch (CalloutException e) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("message", e.getMessage());
        if (e.invocationId() != null) {
          out.put("invocationId", e.invocationId().toString());
        }
        Http.json(res, 502, out.toString());
      } catch (ExtsvcException | IllegalArgumentException e) {
        Http.json(res, 400, Json.message(Objects.toString(e.getMessage(), "Bad request")));
      } catch (RuntimeException e) {
        log.error("API request {} {} failed", req.prologue().method().text(), req.path().path(), e);
        Http.json(res, 500, Json.message("Internal error"));
      }
    };
  }

  private void health(ServerRequest req, ServerResponse res) {
    boolean ok = services.store().healthy();
    Http.json(
        res,
        ok ? 200 : 503,
        Json.MAPPER
            .createObjectNode()
            .put("status", ok ? "UP" : "DOWN")
            .put("store", ok ? "reachable" : "unreachable")
            .put("node", services.nodeId())
            .put("draining", services.draining())
            .toString());
  }

  /** The alerts firing now and the latest resolved ones ({@code ?state=firing} for only those). */
  private void alerts(ServerRequest req, ServerResponse res) {
    String state = req.query().first("state").orElse("");
    if (!state.isEmpty() && !state.equals("firing") && !state.equals("resolved")) {
      throw new BadRequest("state must be firing or resolved, was '" + state + "'");
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    if (!state.equals("resolved")) {
      ArrayNode firing = out.putArray("firing");
      services.alerts().forEach(a -> firing.add(Json.alert(a)));
    }
    if (!state.equals("firing")) {
      ArrayNode resolved = out.putArray("resolved");
      services.resolvedAlerts().forEach(a -> resolved.add(Json.alert(a)));
    }
    Http.json(res, 200, out.toString());
  }

  private void listServices(ServerRequest req, ServerResponse res) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    services.services().forEach(s -> out.add(serviceJson(s)));
    Http.json(res, 200, out.toString());
  }

  private void getService(ServerRequest req, ServerResponse res) {
    String name = req.path().pathParameters().get("name");
    Optional<ServiceDefinition> s = services.service(name);
    if (s.isEmpty()) {
      Http.json(res, 404, Json.message("No service named " + name));
      return;
    }
    Http.json(res, 200, serviceJson(s.get()).toString());
  }

  private void registerService(ServerRequest req, ServerResponse res) throws IOException {
    byte[] bytes = read(req, MAX_SPEC_BYTES);
    String name = req.query().first("name").orElse(null);
    Registration registration = services.register(new String(bytes, StandardCharsets.UTF_8), name);
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("registered", registration.ok());
    if (registration.service() != null) {
      out.set("service", serviceJson(registration.service()));
    }
    ArrayNode diags = out.putArray("diagnostics");
    for (Diagnostic d : registration.report().diagnostics()) {
      diags
          .addObject()
          .put("severity", d.severity().name())
          .put("pointer", d.pointer())
          .put("line", d.line())
          .put("message", d.message());
    }
    Http.json(res, registration.ok() ? 201 : 400, out.toString());
  }

  private void invoke(ServerRequest req, ServerResponse res) throws IOException {
    JsonNode in = parse(read(req, MAX_INVOKE_BYTES));
    String service = text(in, "service");
    String operation = text(in, "operation");
    RequestParts parts = RequestParts.fromJson(in.get("request"));
    placeParams(service, operation, in.path("params"), parts);
    Duration timeout = null;
    if (in.hasNonNull("callbackTimeout")) {
      try {
        timeout = Duration.parse(in.get("callbackTimeout").asText());
      } catch (DateTimeParseException e) {
        throw new BadRequest("callbackTimeout must be an ISO-8601 duration such as PT1H");
      }
    }
    JsonNode validate = in.path("validate");
    if (!validate.isMissingNode() && !validate.isBoolean()) {
      throw new BadRequest("'validate' must be true or false");
    }
    if (validate.asBoolean(true)) {
      List<RequestProblem> problems = services.validateRequest(service, operation, parts);
      if (!problems.isEmpty()) {
        Http.json(res, 400, problemsJson(service, operation, problems));
        return;
      }
    }
    InvocationResult result = services.invoke(service, operation, parts, null, timeout);
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("invocationId", result.invocationId().toString());
    out.put("async", result.async());
    out.put("statusCode", result.statusCode());
    out.set("body", bodyJson(result.body()));
    Http.json(res, 200, out.toString());
  }

  /**
   * {"message": ..., "problems": [{"pointer": "/body/applicant/name", "message": ...}]}: a request
   * refused before it was sent.
   */
  private static String problemsJson(
      String service, String operation, List<RequestProblem> problems) {
    ObjectNode out =
        Json.MAPPER
            .createObjectNode()
            .put(
                "message",
                "the request breaks the declaration of "
                    + service
                    + "."
                    + operation
                    + " ("
                    + problems.size()
                    + (problems.size() == 1 ? " problem" : " problems")
                    + "); nothing was sent. \"validate\": false sends it anyway");
    ArrayNode list = out.putArray("problems");
    problems.forEach(p -> list.addObject().put("pointer", p.pointer()).put("message", p.message()));
    return out.toString();
  }

  /** "params" are placed where the operation declares them; undeclared ones go to the query. */
  private void placeParams(String service, String operation, JsonNode params, RequestParts parts) {
    if (params.isMissingNode() || params.isNull()) {
      return;
    }
    if (!params.isObject()) {
      throw new BadRequest("'params' must be an object of NAME: VALUE");
    }
    Optional<Operation> op = services.service(service).flatMap(s -> s.operation(operation));
    params
        .fields()
        .forEachRemaining(
            e -> {
              String name = e.getKey();
              String value = e.getValue().asText();
              ParameterLocation in =
                  op.flatMap(
                          o ->
                              o.parameters().stream()
                                  .filter(p -> p.name().equals(name))
                                  .findFirst())
                      .map(Parameter::in)
                      .orElse(ParameterLocation.QUERY);
              switch (in) {
                case PATH -> parts.pathParam(name, value);
                case HEADER -> parts.header(name, value);
                case COOKIE -> parts.header("Cookie", name + "=" + value);
                case QUERY -> parts.query(name, value);
              }
            });
  }

  /**
   * One page of invocations: filters, {@code sort} (a column) and {@code order} (asc, desc), and
   * {@code page} (a token of a {@code Link} header's next or prev URL); {@code before} (an id) is
   * the older newest-first paging. The body is the page's array; the links are in {@code Link}.
   */
  private void listInvocations(ServerRequest req, ServerResponse res) {
    var q = req.query();
    InvocationStatus status = q.first("status").map(s -> enumValue(s)).orElse(null);
    int limit = q.first("limit").map(ApiRoutes::intValue).orElse(50);
    UUID before = q.first("before").map(ApiRoutes::uuid).orElse(null);
    Instant from = q.first("from").map(ApiRoutes::instant).orElse(null);
    Instant to = q.first("to").map(ApiRoutes::instant).orElse(null);
    InvocationSort.Column column =
        q.first("sort")
            .map(
                s ->
                    InvocationSort.Column.ofParameter(s)
                        .orElseThrow(
                            () ->
                                new BadRequest(
                                    "sort must be one of "
                                        + InvocationSort.Column.parameters()
                                        + ", not '"
                                        + clip(s)
                                        + "'")))
            .orElse(InvocationSort.Column.SUBMITTED);
    boolean descending =
        q.first("order")
            .map(
                o -> {
                  if (!o.equals("asc") && !o.equals("desc")) {
                    throw new BadRequest("order must be asc or desc, not '" + clip(o) + "'");
                  }
                  return o.equals("desc");
                })
            .orElse(
                column == InvocationSort.Column.SUBMITTED
                    || column == InvocationSort.Column.LAST_ACTIVITY);
    InvocationSort sort = new InvocationSort(column, descending);
    InvocationCursor page = null;
    if (q.first("page").isPresent()) {
      if (before != null) {
        throw new BadRequest("page and before cannot both be given");
      }
      try {
        page = InvocationCursor.parse(q.first("page").get());
      } catch (IllegalArgumentException e) {
        throw new BadRequest(
            "page must be a token from a Link header of this list: " + e.getMessage());
      }
      if (!page.sort().equals(sort)) {
        throw new BadRequest(
            "page belongs to sort="
                + page.sort().column().parameter()
                + "&order="
                + page.sort().order()
                + ", not sort="
                + column.parameter()
                + "&order="
                + sort.order());
      }
    } else if (before != null) {
      if (!sort.equals(InvocationSort.NEWEST_FIRST)) {
        throw new BadRequest("before pages the newest-first order only; use page");
      }
      page = new InvocationCursor(sort, null, before, false);
    }
    InvocationPage result;
    try {
      result =
          services
              .store()
              .invocationPage(
                  InvocationQuery.all(limit)
                      .withStatus(status)
                      .withService(q.first("service").orElse(null))
                      .withOperation(q.first("operation").orElse(null))
                      .withSubmitted(from, to)
                      .withSort(sort)
                      .withPage(page)
                      .withText(q.first("q").orElse(null)));
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    }
    var links = new java.util.ArrayList<String>();
    if (result.next() != null) {
      links.add("<" + pageUrl(req, result.next()) + ">; rel=\"next\"");
    }
    if (result.previous() != null) {
      links.add("<" + pageUrl(req, result.previous()) + ">; rel=\"prev\"");
    }
    if (!links.isEmpty()) {
      res.header("Link", String.join(", ", links));
    }
    ArrayNode out = Json.MAPPER.createArrayNode();
    result.rows().forEach(r -> out.add(invocationJson(r)));
    Http.json(res, 200, out.toString());
  }

  /** This list's address with its parameters but {@code page} and {@code before}, at that page. */
  private static String pageUrl(ServerRequest req, InvocationCursor at) {
    var url = new StringBuilder("/api/invocations?");
    for (String name : req.query().names()) {
      if (name.equals("page") || name.equals("before")) {
        continue;
      }
      for (String value : req.query().all(name)) {
        url.append(encode(name)).append('=').append(encode(value)).append('&');
      }
    }
    if (req.query().first("sort").isEmpty()) {
      url.append("sort=").append(at.sort().column().parameter()).append('&');
    }
    return url.append("page=").append(at.token()).toString();
  }

  /** A client's value as an error quotes it: at most 40 characters. */
  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private void getInvocation(ServerRequest req, ServerResponse res) {
    UUID id = uuid(req.path().pathParameters().get("id"));
    Optional<InvocationRow> row = services.invocation(id);
    if (row.isEmpty()) {
      Http.json(res, 404, Json.message("No invocation " + id));
      return;
    }
    ObjectNode out = invocationJson(row.get());
    ArrayNode cbs = out.putArray("callbacks");
    for (CallbackRow c : services.callbacks(id)) {
      ObjectNode cb = cbs.addObject();
      cb.put("id", c.id().toString())
          .put("key", c.key())
          .put("receivedAt", c.receivedAt().toString())
          .put("method", c.method())
          .put("outcome", c.outcome().name())
          .put("attempts", c.attempts());
      cb.set("headers", Json.readTrusted(c.headers()));
      cb.set("body", bodyJson(c.body()));
      if (c.answerCode() != null) {
        cb.put("answerCode", c.answerCode());
      }
      if (c.error() != null) {
        cb.put("error", c.error());
      }
      if (c.nextAttemptAt() != null) {
        cb.put("nextAttemptAt", c.nextAttemptAt().toString());
      }
      cb.put("dead", c.dead());
    }
    ArrayNode events = out.putArray("events");
    for (EventRow e : services.events(id)) {
      events
          .addObject()
          .put("at", e.at().toString())
          .put("kind", e.kind().name())
          .put("message", e.message());
    }
    Http.json(res, 200, out.toString());
  }

  private void cancel(ServerRequest req, ServerResponse res) throws IOException {
    UUID id = uuid(req.path().pathParameters().get("id"));
    byte[] bytes = read(req, 64 * 1024);
    String reason = "Cancelled through the API";
    if (bytes.length > 0) {
      JsonNode in = parse(bytes);
      if (in.hasNonNull("reason")) {
        reason = in.get("reason").asText();
      }
    }
    if (services.invocation(id).isEmpty()) {
      Http.json(res, 404, Json.message("No invocation " + id));
      return;
    }
    boolean cancelled = services.cancel(id, reason);
    if (!cancelled) {
      Http.json(res, 409, Json.message("Invocation " + id + " is not pending"));
      return;
    }
    Http.json(res, 200, invocationJson(services.invocation(id).orElseThrow()).toString());
  }

  /**
   * Moves a PENDING invocation's deadline later by {@code {"by":"PT1H"}}: 200 with the invocation
   * as it now is; 400 with the reason for a missing, malformed or non-positive duration or one past
   * the maximum callback timeout; 404 for an unknown invocation; 409 for a final one.
   */
  private void extend(ServerRequest req, ServerResponse res) throws IOException {
    UUID id = uuid(req.path().pathParameters().get("id"));
    JsonNode in = parse(read(req, 64 * 1024));
    String text = text(in, "by");
    Duration by;
    try {
      by = Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new BadRequest("'by' must be an ISO-8601 duration such as PT1H, was '" + text + "'");
    }
    try {
      services.extend(id, by);
    } catch (DeadlineExtensionException e) {
      int status =
          switch (e.reason()) {
            case UNKNOWN_INVOCATION -> 404;
            case FINAL -> 409;
            case INVALID -> 400;
          };
      Http.json(res, status, Json.message(Objects.toString(e.getMessage(), "Not extended")));
      return;
    }
    Http.json(res, 200, invocationJson(services.invocation(id).orElseThrow()).toString());
  }

  /**
   * Runs a failed or declined callback's handler again: 200 with the answer its sender would get
   * now (which may itself be 404, 408 or 500) and the callback as it then is; 404 for an unknown
   * callback, 409 for a handled one or one being handled. The id of an early callback (a shared
   * address's, held or dead) is replayed as {@code POST /api/early-callbacks/{id}/replay} does,
   * with that endpoint's answer: the console and the API show both kinds of ids, and a caller
   * should not have to know which table one came from.
   */
  private void replay(ServerRequest req, ServerResponse res) {
    String text = req.path().pathParameters().get("id");
    UUID id;
    try {
      id = UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("'" + text + "' is not a callback id");
    }
    if (services.store().callback(id).isEmpty() && services.store().earlyCallback(id).isPresent()) {
      res.reroute("/api/early-callbacks/" + id + "/replay"); // one implementation of it
      return;
    }
    CallbackResponse answer = services.replay(id);
    Optional<CallbackRow> row = services.store().callback(id);
    if (row.isEmpty()) {
      Http.json(res, 404, Json.message("No callback or early callback " + id));
      return;
    }
    if (answer.status() == 409) {
      Http.json(res, 409, answer.body());
      return;
    }
    ObjectNode out =
        Json.MAPPER
            .createObjectNode()
            .put("callbackId", id.toString())
            .put("answerCode", answer.status());
    out.set("answer", bodyJson(answer.body()));
    CallbackRow c = row.get();
    out.putObject("callback")
        .put("id", c.id().toString())
        .put("invocationId", c.invocationId().toString())
        .put("key", c.key())
        .put("outcome", c.outcome().name())
        .put("attempts", c.attempts())
        .put("answerCode", c.answerCode())
        .put("error", c.error())
        .put("dead", c.dead());
    Http.json(res, 200, out.toString());
  }

  static ObjectNode serviceJson(ServiceDefinition s) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("name", s.name()).put("version", s.version()).put("openapi", s.openApiVersion());
    ArrayNode ops = out.putArray("operations");
    for (Operation op : s.operations()) {
      ObjectNode o = ops.addObject();
      o.put("id", op.id())
          .put("method", op.method())
          .put("path", op.path())
          .put("async", op.async());
      ArrayNode cbs = o.putArray("callbacks");
      for (CallbackDefinition c : op.callbacks()) {
        ObjectNode cb =
            cbs.addObject()
                .put("key", c.key())
                .put("expression", c.expression())
                .put("method", c.method())
                .put("awaitable", c.awaitable())
                .put("role", c.role().describe());
        if (c.target() != null) {
          cb.put("writtenTo", c.target().describe());
        }
        if (c.notAwaitableReason() != null) {
          cb.put("notAwaitableReason", c.notAwaitableReason());
        }
      }
    }
    return out;
  }

  static ObjectNode invocationJson(InvocationRow r) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("id", r.id().toString())
        .put("service", r.service())
        .put("operation", r.operation())
        .put("async", r.async())
        .put("status", r.status().name());
    out.put("reason", r.reason());
    out.put("submitTime", r.submitTime().toString());
    if (r.async()) {
      out.put("deadline", r.deadline().toString());
    }
    out.put("finishedAt", r.finishedAt() == null ? null : r.finishedAt().toString());
    out.put("handlerType", r.handlerType());
    out.set("request", Json.readTrusted(r.request()));
    if (r.syncStatus() != null) {
      ObjectNode sync = out.putObject("syncAnswer");
      sync.put("status", r.syncStatus());
      sync.set("body", bodyJson(r.syncBody()));
    }
    return out;
  }

  /** A body as JSON when it is JSON, else as a string. */
  static JsonNode bodyJson(@Nullable String body) {
    if (body == null || body.isBlank()) {
      return Json.MAPPER.nullNode();
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return Json.MAPPER.getNodeFactory().textNode(body);
    }
  }

  private byte[] read(ServerRequest req, int max) throws IOException {
    byte[] bytes = Http.readBounded(req, max, deadlines);
    if (bytes == null) {
      throw new BadRequest("request body larger than " + max + " bytes");
    }
    return bytes;
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new BadRequest(
          "request body is not JSON: "
              + java.util.Objects.toString(e.getMessage(), "").lines().findFirst().orElse(""));
    }
  }

  private static String text(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || !v.isTextual()) {
      throw new BadRequest("'" + field + "' (string) is required");
    }
    return v.asText();
  }

  private static InvocationStatus enumValue(String s) {
    try {
      return InvocationStatus.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadRequest("status must be one of PENDING, COMPLETED, TIMED_OUT, CANCELLED");
    }
  }

  private static int intValue(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new BadRequest("limit must be a number");
    }
  }

  private static UUID uuid(String s) {
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("'" + s + "' is not an invocation id");
    }
  }

  private static Instant instant(String s) {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new BadRequest("'" + s + "' is not an ISO-8601 instant such as 2026-01-31T12:00:00Z");
    }
  }

  /** A client error with a message fit to show. */
  static final class BadRequest extends RuntimeException {
    BadRequest(@Nullable String message) {
      super(message);
    }
  }
}
