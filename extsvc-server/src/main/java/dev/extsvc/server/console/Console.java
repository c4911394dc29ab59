package dev.extsvc.server.console;

import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.DeadlineExtensionException;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationCursor;
import dev.extsvc.runtime.store.InvocationPage;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationSort;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NodeLease;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.Report;
import dev.extsvc.spec.ServiceDefinition;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Background Operations console at {@code /console}: overview, invocations, one invocation,
 * nodes, early callbacks, services. Pages are rendered on the server from precompiled jte templates
 * (HTML-escaped by default) and refresh themselves with htmx. Also guards {@code /api} and {@code
 * /console} with the admin token.
 */
public final class Console {
  private static final Logger log = LoggerFactory.getLogger(Console.class);
  static final int PAGE_SIZE = 50;
  private static final int MAX_SPEC_FORM_BYTES = 3 * 10 * 1024 * 1024;
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  /** The htmx version of the webjar on the class path, read from its Maven metadata once. */
  private static final String HTMX_VERSION = htmxVersion();

  private final ExternalServices services;
  private final AdminAuth auth;
  private final TemplateEngine templates;
  private final Map<String, Report> reports = new ConcurrentHashMap<>();

  private Console(ExternalServices services, AdminAuth auth) {
    this.services = services;
    this.auth = auth;
    this.templates =
        TemplateEngine.createPrecompiled(
            null, ContentType.Html, Console.class.getClassLoader(), Console.class.getPackageName());
  }

  /**
   * A console for a server listening on {@code host}: beyond loopback, or with a token given, the
   * API and the console require the token.
   */
  public static Console create(
      ExternalServices services, String host, @Nullable String adminToken) {
    AdminAuth auth = AdminAuth.forListener(host, adminToken);
    if (auth.locked()) {
      log.warn(
          "Listening on {} without an admin token: the REST API (but /api/health) and the console"
              + " refuse every request",
          host);
    }
    return new Console(services, auth);
  }

  /**
   * The admin token guard on /api, /metrics and /console; register it before the routes it guards.
   */
  public void guard(HttpRules r) {
    r.any("/api", auth.apiFilter());
    r.any("/api/*", auth.apiFilter());
    r.any("/metrics", auth.apiFilter()); // the meters are operational data too
    r.any("/console", this::consoleFilter);
    r.any("/console/*", this::consoleFilter);
  }

  /** The console's pages and the API endpoints its actions need beyond the existing ones. */
  public void register(HttpRules r) {
    new ConsoleApi(services).register(r);
    r.get("/console/static/{file}", this::asset);
    r.get(
        "/console/login",
        page((req, res) -> login(res, req.query().first("next").orElse("/console"), null, 200)));
    r.post("/console/login", page(this::doLogin));
    r.post("/console/logout", page(this::logout));
    r.get("/console", page(this::overview));
    r.get("/console/invocations", page(this::invocations));
    r.get("/console/invocations/{id}", page(this::invocation));
    r.post("/console/invocations/{id}/cancel", page(this::cancel));
    r.post("/console/invocations/{id}/extend", page(this::extend));
    r.post("/console/callbacks/{id}/retry", page(this::retry));
    r.get("/console/nodes", page(this::nodesPage));
    r.get("/console/early-callbacks", page(this::earlyCallbacksPage));
    r.post("/console/early-callbacks/{id}/replay", page(this::replayEarly));
    r.get("/console/services", page(this::servicesPage));
    r.post("/console/services", page(this::registerService));
  }

  private void consoleFilter(ServerRequest req, ServerResponse res) {
    String path = req.path().path();
    if (path.startsWith("/console/static/") || path.equals("/console/login")) {
      res.next();
      return;
    }
    if (auth.locked()) {
      html(
          res,
          403,
          "<!doctype html><title>Console closed</title><p>The console is closed: the server listens"
              + " beyond loopback and no admin token is configured.</p>");
      return;
    }
    if (auth.consoleAllows(req)) {
      res.next();
      return;
    }
    // "?token=" once (a link from a script), then the cookie; the token leaves the address bar at
    // once.
    Optional<String> token = req.query().first("token").asOptional();
    if (token.isPresent()
        && req.prologue().method().text().equals("GET")
        && auth.matches(token.get())) {
      auth.setSession(res, isHttps(req));
      redirect(res, pathWithoutToken(req));
      return;
    }
    if (req.prologue().method().text().equals("GET")) {
      login(res, pathWithoutToken(req), token.isPresent() ? "That token is not right." : null, 401);
    } else {
      html(
          res,
          401,
          "<!doctype html><title>Sign in</title><p>Sign in first: <a href=\"/console/login\">log in</a></p>");
    }
  }

  /** Page handlers: cross-site posts refused, store outages shown as 503, never a stack trace. */
  private Handler page(Handler h) {
    return (req, res) -> {
      res.header(HeaderNames.CACHE_CONTROL, "no-store");
      res.header("Content-Security-Policy", CSP);
      res.header("X-Content-Type-Options", "nosniff");
      res.header("Referrer-Policy", "same-origin");
      if (req.prologue().method().text().equals("POST") && !Forms.sameOrigin(req)) {
        html(
            res,
            403,
            "<!doctype html><title>Refused</title><p>Refused: the form came from another site.</p>");
        return;
      }
      try {
        h.handle(req, res);
      } catch (StoreUnavailableException e) {
        res.header("Retry-After", "5");
        html(
            res,
            503,
            "<!doctype html><title>Store unavailable</title><p>The store is unavailable; retry later.</p>");
      } catch (RuntimeException e) {
        log.error(
            "Console request {} {} failed", req.prologue().method().text(), req.path().path(), e);
        html(
            res,
            500,
            "<!doctype html><title>Error</title><p>Internal error; see the server log.</p>");
      }
    };
  }

  // --- pages ---

  private void overview(ServerRequest req, ServerResponse res) {
    Instant now = services.clock().instant();
    var activity = services.store().activity(now.minusSeconds(3600));
    long submitted = 0;
    long callbacks = 0;
    long failures = 0;
    long lastMinute = 0;
    Instant minuteStart = now.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    for (var a : activity) {
      submitted += a.submitted();
      callbacks += a.callbacks();
      failures += a.failures();
      if (!a.minute().isBefore(minuteStart)) {
        lastMinute += a.callbacks();
      }
    }
    render(
        res,
        200,
        "overview.jte",
        new Views.Overview(
            chrome("Overview", "overview"),
            now,
            services.store().countByStatus(),
            submitted,
            callbacks,
            failures,
            lastMinute,
            Views.Chart.of(activity, now),
            services.store().pendingDueBefore(now.plusSeconds(3600), 10),
            services.store().failedCallbacks(10),
            services.alerts(),
            services.resolvedAlerts().stream().limit(5).toList(),
            new Views.EarlyCounts(
                services.store().earlyCallbacks(false, Views.EarlyCounts.CAP).size(),
                services.store().earlyCallbacks(true, Views.EarlyCounts.CAP).size())));
  }

  private void invocations(ServerRequest req, ServerResponse res) {
    Instant now = services.clock().instant();
    var q = req.query();
    var filters =
        new Views.Filters(
            q.first("status").orElse(""),
            q.first("service").orElse(""),
            q.first("operation").orElse(""),
            q.first("from").orElse(""),
            q.first("to").orElse(""),
            q.first("id").orElse("").trim(),
            Format.truncate(q.first("q").orElse("").strip(), 200));
    String message = null;
    if (!filters.id().isEmpty()) {
      UUID id = uuidOrNull(filters.id());
      if (id != null && services.invocation(id).isPresent()) {
        redirect(res, "/console/invocations/" + id);
        return;
      }
      message = "No invocation with id " + Format.truncate(filters.id(), 80) + ".";
    }
    InvocationStatus status = null;
    if (!filters.status().isEmpty()) {
      try {
        status = InvocationStatus.valueOf(filters.status().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        message = "Unknown status " + Format.truncate(filters.status(), 40) + ".";
      }
    }
    Instant from = dateTime(filters.from());
    Instant to = dateTime(filters.to());
    if ((!filters.from().isEmpty() && from == null) || (!filters.to().isEmpty() && to == null)) {
      message = "Times are written as 2026-03-01T10:15 (UTC).";
    }
    Views.Sort sort = sort(q.first("sort").orElse(""), q.first("order").orElse(""));
    InvocationCursor at = null;
    String pageToken = q.first("page").orElse("").trim();
    if (!pageToken.isEmpty()) {
      try {
        at = InvocationCursor.parse(pageToken);
        if (!at.sort().equals(sort.order())) {
          at = null; // a page of another order: that order's first page
        }
      } catch (IllegalArgumentException e) {
        message = "That page link is not valid any more; showing the first page.";
      }
    }
    InvocationPage result =
        services
            .store()
            .invocationPage(
                InvocationQuery.all(PAGE_SIZE)
                    .withStatus(status)
                    .withService(blankToNull(filters.service()))
                    .withOperation(blankToNull(filters.operation()))
                    .withSubmitted(from, to)
                    .withSort(sort.order())
                    .withPage(at)
                    .withText(blankToNull(filters.q())));
    List<InvocationRow> rows = result.rows();
    Map<UUID, EventRow> last =
        services.store().lastEvents(rows.stream().map(InvocationRow::id).toList());
    String base =
        "/console/invocations"
            + Forms.query(
                "status",
                filters.status(),
                "service",
                filters.service(),
                "operation",
                filters.operation(),
                "from",
                filters.from(),
                "to",
                filters.to(),
                "q",
                filters.q());
    Views.Sort shown = sort.on(base);
    String first = withQuery(base, shown.query());
    String self = at == null ? first : withQuery(first, "page=" + at.token());
    List<String> serviceNames = services.services().stream().map(ServiceDefinition::name).toList();
    List<String> operations =
        services.services().stream()
            .flatMap(s -> s.operations().stream())
            .map(o -> o.id())
            .distinct()
            .sorted()
            .toList();
    render(
        res,
        200,
        "invocations.jte",
        new Views.InvocationList(
            chrome("Invocations", "invocations"),
            now,
            filters,
            rows.stream()
                .map(
                    r ->
                        new Views.Row(
                            r,
                            last.get(r.id()),
                            BusinessValues.of(
                                services
                                    .service(r.service())
                                    .flatMap(d -> d.operation(r.operation()))
                                    .orElse(null),
                                r)))
                .toList(),
            result.next() == null ? null : withQuery(first, "page=" + result.next().token()),
            result.previous() == null
                ? null
                : withQuery(first, "page=" + result.previous().token()),
            at == null ? null : first,
            self,
            shown,
            serviceNames,
            operations,
            message));
  }

  /**
   * The order asked for, or newest first; an unknown column or direction gives the column's
   * default.
   */
  private static Views.Sort sort(String column, String order) {
    var c = InvocationSort.Column.ofParameter(column);
    if (c.isEmpty()) {
      return new Views.Sort(InvocationSort.NEWEST_FIRST, "");
    }
    boolean descending =
        order.equalsIgnoreCase("desc")
            || (!order.equalsIgnoreCase("asc") && Views.Sort.descendingFirst(c.get()));
    return new Views.Sort(new InvocationSort(c.get(), descending), "");
  }

  private static String withQuery(String url, String query) {
    return query.isEmpty() ? url : url + (url.contains("?") ? "&" : "?") + query;
  }

  private void invocation(ServerRequest req, ServerResponse res) {
    UUID id = uuidOrNull(req.path().pathParameters().get("id"));
    Optional<InvocationRow> row = id == null ? Optional.empty() : services.invocation(id);
    if (row.isEmpty()) {
      html(
          res,
          404,
          "<!doctype html><title>Not found</title><p>No such invocation. <a href=\"/console/invocations\">"
              + "All invocations</a></p>");
      return;
    }
    InvocationRow inv = row.get();
    List<EventRow> events = services.events(inv.id());
    List<Views.Step> steps = new ArrayList<>();
    Instant start = events.isEmpty() ? inv.submitTime() : events.getFirst().at();
    Instant previous = start;
    for (EventRow e : events) {
      steps.add(new Views.Step(e, Format.between(previous, e.at()), Format.between(start, e.at())));
      previous = e.at();
    }
    String done = req.query().first("done").orElse("");
    String flash =
        switch (done) {
          case "cancelled" -> "Invocation cancelled.";
          case "not-pending" -> "The invocation is no longer pending; nothing was cancelled.";
          case "extended" -> "Deadline extended.";
          case "extend-final" -> "The invocation is no longer pending; its deadline was not moved.";
          case "extend-invalid" ->
              "Not extended: give a positive ISO-8601 duration (PT1H, P1D) that keeps the deadline"
                  + " within the service's maximum callback timeout from now.";
          case "retry-200" -> "The handler ran again and handled the callback.";
          case "retry-404" -> "The handler ran again and did not handle the callback (404).";
          case "retry-408" -> "Too late: the callback timeout has passed (408).";
          case "retry-409" -> "Only a failed callback runs again.";
          case "retry-500" -> "The handler failed again (500); see the debug log.";
          case "retry-503" -> "The store is unavailable; retry later.";
          default -> null;
        };
    render(
        res,
        200,
        "invocation.jte",
        new Views.Detail(
            chrome("Invocation " + Format.shortId(inv.id()), "invocations"),
            services.clock().instant(),
            inv,
            services.callbacks(inv.id()),
            steps,
            "/console/invocations/" + inv.id(),
            flash,
            done.equals("not-pending")
                || done.startsWith("extend-")
                || done.matches("retry-(4|5).*")));
  }

  private void cancel(ServerRequest req, ServerResponse res) throws IOException {
    UUID id = uuidOrNull(req.path().pathParameters().get("id"));
    if (id == null) {
      html(res, 404, "<!doctype html><p>No such invocation.</p>");
      return;
    }
    Map<String, String> form = Forms.read(req, 64 * 1024);
    String reason = form == null ? "" : form.getOrDefault("reason", "").trim();
    boolean cancelled =
        services.cancel(
            id, reason.isEmpty() ? "Cancelled from the console" : Format.truncate(reason, 500));
    redirect(
        res, "/console/invocations/" + id + "?done=" + (cancelled ? "cancelled" : "not-pending"));
  }

  /** The detail page's "Extend deadline" form: {@code by} is an ISO-8601 duration. */
  private void extend(ServerRequest req, ServerResponse res) throws IOException {
    UUID id = uuidOrNull(req.path().pathParameters().get("id"));
    if (id == null || services.invocation(id).isEmpty()) {
      html(res, 404, "<!doctype html><p>No such invocation.</p>");
      return;
    }
    Map<String, String> form = Forms.read(req, 64 * 1024);
    String by = form == null ? "" : form.getOrDefault("by", "").trim();
    String done;
    try {
      services.extend(id, Duration.parse(by));
      done = "extended";
    } catch (DateTimeParseException e) {
      done = "extend-invalid";
    } catch (DeadlineExtensionException e) {
      done =
          e.reason() == DeadlineExtensionException.Reason.FINAL ? "extend-final" : "extend-invalid";
    }
    redirect(res, "/console/invocations/" + id + "?done=" + done);
  }

  private void retry(ServerRequest req, ServerResponse res) {
    UUID id = uuidOrNull(req.path().pathParameters().get("id"));
    Optional<CallbackRow> callback = id == null ? Optional.empty() : services.store().callback(id);
    if (callback.isEmpty()) {
      html(res, 404, "<!doctype html><p>No such callback.</p>");
      return;
    }
    CallbackResponse answer = services.replay(callback.get().id());
    redirect(
        res,
        "/console/invocations/"
            + callback.get().invocationId()
            + "?done=retry-"
            + answer.status()
            + "#cb-"
            + callback.get().id());
  }

  private void nodesPage(ServerRequest req, ServerResponse res) {
    render(res, 200, "nodes.jte", nodes(services, chrome("Nodes", "nodes")));
  }

  /** Most leases a page reads: each is a handler running now, so far more than a cluster runs. */
  static final int MAX_LEASES = 1000;

  /** The registered nodes with what each holds, alive or dead by the runtime's node timeout. */
  static Views.Nodes nodes(ExternalServices services, Views.Chrome chrome) {
    Instant now = services.clock().instant();
    Duration timeout = services.nodeTimeout();
    List<NodeLease> leases = services.store().leases(MAX_LEASES);
    Map<String, List<NodeLease>> byNode = new java.util.TreeMap<>();
    leases.forEach(l -> byNode.computeIfAbsent(l.nodeId(), k -> new ArrayList<>()).add(l));
    List<Views.NodeView> nodes = new ArrayList<>();
    for (NodeRow n : services.store().nodes()) {
      boolean self = n.id().equals(services.nodeId());
      List<NodeLease> held = byNode.remove(n.id());
      nodes.add(
          new Views.NodeView(
              n,
              self,
              !n.heartbeatAt().isBefore(now.minus(timeout)),
              self && services.draining(),
              held == null ? List.of() : held));
    }
    List<NodeLease> orphans = byNode.values().stream().flatMap(List::stream).toList();
    return new Views.Nodes(chrome, now, timeout, nodes, orphans, leases.size() == MAX_LEASES);
  }

  /** Most early callbacks each list of the page shows. */
  static final int EARLY_PAGE_SIZE = 100;

  private void earlyCallbacksPage(ServerRequest req, ServerResponse res) {
    String status = req.query().first("status").orElse("").trim().toLowerCase(Locale.ROOT);
    String message = null;
    if (!status.isEmpty() && !status.equals("held") && !status.equals("dead")) {
      message = "Unknown status " + Format.truncate(status, 40) + "; showing held and dead.";
      status = "";
    }
    List<EarlyCallbackRow> held =
        status.equals("dead")
            ? List.of()
            : services.store().earlyCallbacks(false, EARLY_PAGE_SIZE + 1);
    List<EarlyCallbackRow> dead =
        status.equals("held")
            ? List.of()
            : services.store().earlyCallbacks(true, EARLY_PAGE_SIZE + 1);
    String done = req.query().first("done").orElse("");
    String flash =
        switch (done) {
          case "replay-200" -> "Delivered: an invocation holds its value now.";
          case "replay-202" -> "Held again for " + Format.span(services.earlyCallbackHold()) + ".";
          case "replay-409" -> "Already delivered; nothing to replay.";
          case "replay-404" -> "No such early callback.";
          default -> message;
        };
    render(
        res,
        200,
        "early.jte",
        new Views.EarlyCallbacks(
            chrome("Early callbacks", "early"),
            services.clock().instant(),
            services.earlyCallbackHold(),
            status,
            views(held),
            views(dead),
            held.size() > EARLY_PAGE_SIZE || dead.size() > EARLY_PAGE_SIZE,
            flash,
            message != null || done.equals("replay-404") || done.equals("replay-409")));
  }

  private static List<Views.EarlyCallbackView> views(List<EarlyCallbackRow> rows) {
    return rows.stream().limit(EARLY_PAGE_SIZE).map(Views.EarlyCallbackView::of).toList();
  }

  private void replayEarly(ServerRequest req, ServerResponse res) {
    UUID id = uuidOrNull(req.path().pathParameters().get("id"));
    Optional<EarlyCallbackRow> early =
        id == null ? Optional.empty() : services.store().earlyCallback(id);
    if (early.isEmpty()) {
      redirect(res, "/console/early-callbacks?done=replay-404");
      return;
    }
    CallbackResponse answer = services.replay(early.get().id());
    redirect(res, "/console/early-callbacks?done=replay-" + answer.status());
  }

  private void servicesPage(ServerRequest req, ServerResponse res) {
    render(res, 200, "services.jte", servicesView(null, "", ""));
  }

  private void registerService(ServerRequest req, ServerResponse res) throws IOException {
    Map<String, String> form = Forms.read(req, MAX_SPEC_FORM_BYTES);
    if (form == null) {
      html(res, 413, "<!doctype html><p>The document is too large.</p>");
      return;
    }
    String name = form.getOrDefault("name", "").trim();
    String document = form.getOrDefault("document", "");
    if (document.isBlank()) {
      render(
          res,
          400,
          "services.jte",
          servicesView(
              new Registration(
                  null,
                  new Report(
                      List.of(
                          dev.extsvc.spec.Diagnostic.error(
                              "", "Paste an OpenAPI document or choose a file")))),
              name,
              document));
      return;
    }
    Registration result = services.register(document, name.isEmpty() ? null : name);
    render(
        res,
        result.ok() ? 201 : 400,
        "services.jte",
        servicesView(result, result.ok() ? "" : name, result.ok() ? "" : document));
  }

  private Views.Services servicesView(@Nullable Registration result, String name, String document) {
    List<Views.ServiceView> views =
        services.services().stream()
            .map(
                s ->
                    new Views.ServiceView(
                        s,
                        reports.computeIfAbsent(
                            s.name() + "\n" + s.document(),
                            k -> Registrar.defaults().register(s.document(), s.name()).report())))
            .toList();
    return new Views.Services(chrome("Services", "services"), views, result, name, document);
  }

  private void login(ServerResponse res, String next, @Nullable String error, int status) {
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.header("Content-Security-Policy", CSP);
    render(
        res,
        status,
        "login.jte",
        new Views.Login(new Views.Chrome("Sign in", "", false), Forms.safeNext(next), error));
  }

  private void doLogin(ServerRequest req, ServerResponse res) throws IOException {
    Map<String, String> form = Forms.read(req, 16 * 1024);
    String next = Forms.safeNext(form == null ? null : form.get("next"));
    if (form != null && auth.matches(form.get("token"))) {
      auth.setSession(res, isHttps(req));
      redirect(res, next);
      return;
    }
    login(res, next, "That token is not right.", 401);
  }

  private void logout(ServerRequest req, ServerResponse res) {
    auth.clearSession(res);
    redirect(res, "/console/login");
  }

  private void asset(ServerRequest req, ServerResponse res) throws IOException {
    String file = req.path().pathParameters().get("file");
    String resource =
        switch (file) {
          case "console.css", "console.js" -> "console/static/" + file;
          case "htmx.min.js" ->
              "META-INF/resources/webjars/htmx.org/" + HTMX_VERSION + "/dist/htmx.min.js";
          default -> null;
        };
    var in = resource == null ? null : Console.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      res.status(404).send();
      return;
    }
    try (in) {
      res.header(
          HeaderNames.CONTENT_TYPE,
          file.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
      res.header(HeaderNames.CACHE_CONTROL, "max-age=3600");
      res.header("X-Content-Type-Options", "nosniff");
      res.send(in.readAllBytes());
    }
  }

  // --- helpers ---

  private static String htmxVersion() {
    var props = new java.util.Properties();
    try (var in =
        Console.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars.npm/htmx.org/pom.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException e) {
      log.warn("Cannot read the htmx webjar's version: {}", e.toString());
    }
    return props.getProperty("version", "unknown");
  }

  private Views.Chrome chrome(String title, String nav) {
    return new Views.Chrome(title, nav, auth.required() && !auth.locked());
  }

  private void render(ServerResponse res, int status, String template, Object model) {
    StringOutput out = new StringOutput();
    templates.render(template, model, out);
    html(res, status, out.toString());
  }

  private static void html(ServerResponse res, int status, String html) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    res.send(html);
  }

  private static void redirect(ServerResponse res, String location) {
    res.status(303);
    res.header(HeaderNames.LOCATION, location);
    res.send();
  }

  private static String pathWithoutToken(ServerRequest req) {
    StringBuilder q = new StringBuilder();
    for (String name : req.query().names()) {
      if (name.equals("token")) {
        continue;
      }
      for (String value : req.query().all(name)) {
        q.append(q.isEmpty() ? "?" : "&").append(Forms.query(name, value).substring(1));
      }
    }
    return req.path().path() + q;
  }

  private static boolean isHttps(ServerRequest req) {
    return req.isSecure()
        || req.headers()
            .first(HeaderNames.X_FORWARDED_PROTO)
            .map("https"::equalsIgnoreCase)
            .orElse(false);
  }

  private static @Nullable Instant dateTime(String s) {
    if (s.isBlank()) {
      return null;
    }
    try {
      return LocalDateTime.parse(s.trim()).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(s.trim());
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static @Nullable UUID uuidOrNull(@Nullable String s) {
    if (s == null) {
      return null;
    }
    try {
      return UUID.fromString(s.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static @Nullable String blankToNull(String s) {
    return s.isBlank() ? null : s;
  }
}
