package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.ExpressionContext;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Parameter;
import dev.extsvc.spec.ParameterLocation;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.ResponseDefinition;
import dev.extsvc.spec.ServiceDefinition;
import io.helidon.http.Header;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated external web service: answers each operation of a spec with its example (or a value valid for its
 * schema) and, for an asynchronous operation, fires one of its callbacks to the URL found in the request after a
 * delay. The key is chosen by a {@link KeyRule}, or per request by the header {@code X-Mock-Callback: KEY}
 * ({@code none} for no callback).
 */
public final class MockService implements AutoCloseable {
  /** Per-request choice of the callback key; "none" fires no callback. */
  public static final String KEY_HEADER = "X-Mock-Callback";

  private static final Logger log = LoggerFactory.getLogger(MockService.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServiceDefinition service;
  private final String host;
  private final int requestedPort;
  private final Duration delay;
  private final KeyRule keyRule;
  private final @Nullable CallbackPayloads payloads;
  private final @Nullable SyncAnswers answers;
  private final Consumer<Delivery> listener;
  private final int retries;
  private final List<Route> routes;
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler;
  private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(senders).build();
  private @Nullable WebServer server;

  private MockService(Builder b) {
    this.service = b.service;
    this.host = b.host;
    this.requestedPort = b.port;
    this.delay = b.delay;
    this.keyRule = b.keyRule;
    this.payloads = b.payloads;
    this.answers = b.answers;
    this.listener = b.listener;
    this.retries = b.retries;
    this.routes = Route.all(service);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mock-callback-scheduler");
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder(ServiceDefinition service) {
    return new Builder(service);
  }

  public MockService start() {
    server = WebServer.builder().host(host).port(requestedPort)
        .routing(r -> r.any(this::handle))
        .build().start();
    log.info("Mock {} listening on {}", service.name(), baseUrl());
    return this;
  }

  public int port() {
    return Objects.requireNonNull(server, "not started").port();
  }

  /** "http://host:port": configure it as the service's endpoint. */
  public String baseUrl() {
    return "http://" + host + ":" + port();
  }

  /** The callbacks sent so far, oldest first. */
  public List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  /** The requests received so far, oldest first. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    senders.shutdownNow();
    if (server != null) {
      server.stop();
    }
  }

  private void handle(ServerRequest req, ServerResponse res) throws IOException {
    String method = req.prologue().method().text();
    String path = req.path().rawPath();
    Route route = null;
    boolean pathKnown = false;
    Matcher matcher = null;
    for (Route r : routes) {
      Matcher m = r.pattern().matcher(path);
      if (m.matches()) {
        pathKnown = true;
        if (r.operation().method().equals(method)) {
          route = r;
          matcher = m;
          break;
        }
      }
    }
    if (route == null) {
      json(res, pathKnown ? 405 : 404, JSON.createObjectNode().put("message",
          (pathKnown ? "Method not allowed: " : "No operation at ") + method + " " + path).toString());
      return;
    }
    Operation op = route.operation();
    String bodyText = req.content().hasEntity()
        ? new String(req.content().inputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
    RequestParts parts = parts(req, route, matcher, bodyText);
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(parts.headers());
    requests.add(new RecordedRequest(op.id(), method, path, Map.copyOf(parts.query()), headers, bodyText));

    ResponseDefinition answer = firstSuccess(op);
    int status = answer == null ? 200 : statusOf(answer.status());
    JsonNode custom = answers == null ? null : answers.answer(op, parts);
    JsonNode answerBody = custom != null ? custom : answer == null ? null
        : answer.example() != null ? answer.example() : answer.schema() != null ? SampleValues.of(answer.schema()) : null;
    if (op.async()) {
      scheduleCallback(op, parts, answerBody, req.requestedUri().toUri().toString());
    }
    if (answerBody == null) {
      res.status(status).send();
    } else {
      json(res, status, answerBody.toString());
    }
  }

  private void scheduleCallback(Operation op, RequestParts request, @Nullable JsonNode answerBody, String url) {
    String chosen = request.headers().get(KEY_HEADER);
    if ("none".equals(chosen)) {
      return;
    }
    List<String> keys = op.callbackKeys();
    String key = chosen != null && keys.contains(chosen) ? chosen : keyRule.choose(op.id(), keys);
    CallbackDefinition def = op.callbacks().stream().filter(d -> d.key().equals(key) && d.template() != null)
        .findFirst().orElse(null);
    if (def == null) {
      record(op.id(), key, "POST", "(none)", "", -1, null, "callback " + key + " has no usable URL template", 0,
          Instant.now());
      return;
    }
    String target = def.template().expand(ExpressionContext.ofRequest(url, op.method(), request));
    JsonNode body = body(key, def, request, answerBody);
    Map<String, String> headers = declaredHeaders(def, answerBody);
    scheduler.schedule(() -> senders.submit(() -> send(op.id(), def, target, body, headers)),
        delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends one callback now and records it; public for tests that drive callbacks by hand. */
  public Delivery send(String operationId, CallbackDefinition def, String url, @Nullable JsonNode body,
      Map<String, String> headers) {
    Instant sentAt = Instant.now();
    String text = body == null ? "" : body.toString();
    if (!(url.startsWith("http://") || url.startsWith("https://"))) {
      return record(operationId, def.key(), def.method(), mask(url), text, -1, null,
          "no callback URL in the request (got '" + mask(url) + "')", 0, sentAt);
    }
    String error = null;
    int attempts = 0;
    while (attempts <= retries) {
      attempts++;
      try {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .method(def.method(), body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(text));
        if (body != null) {
          b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() < 500 || attempts > retries) {
          return record(operationId, def.key(), def.method(), mask(url), text, r.statusCode(), r.body(), null,
              attempts, sentAt);
        }
        error = "answered " + r.statusCode();
      } catch (IOException | IllegalArgumentException e) {
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error = "interrupted";
        break;
      }
      sleep(attempts);
    }
    return record(operationId, def.key(), def.method(), mask(url), text, -1, null, error, attempts, sentAt);
  }

  private Delivery record(String op, String key, String method, String maskedUrl, String body, int status,
      @Nullable String answer, @Nullable String error, int attempts, Instant sentAt) {
    Delivery d = new Delivery(op, key, method, maskedUrl, body, status, answer, error, attempts, sentAt, Instant.now());
    deliveries.add(d);
    log.info("Mock callback {} {} {} → {}", key, method, maskedUrl, status < 0 ? error : status);
    listener.accept(d);
    return d;
  }

  private @Nullable JsonNode body(String key, CallbackDefinition def, RequestParts request,
      @Nullable JsonNode answerBody) {
    JsonNode custom = payloads == null ? null : payloads.payload(key, def, request);
    if (custom == null && def.requestBody() == null) {
      return null;
    }
    JsonNode body = custom != null ? custom.deepCopy() : def.requestBody().example() != null
        ? def.requestBody().example().deepCopy() : SampleValues.of(def.requestBody().schema());
    // Carry values the synchronous answer gave (an application number) so the story holds together.
    if (body instanceof ObjectNode o && answerBody != null && answerBody.isObject()) {
      answerBody.properties().forEach(e -> {
        if (o.has(e.getKey())) {
          o.set(e.getKey(), e.getValue());
        }
      });
    }
    return body;
  }

  private static Map<String, String> declaredHeaders(CallbackDefinition def, @Nullable JsonNode answerBody) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Parameter p : def.parameters()) {
      if (p.in() != ParameterLocation.HEADER) {
        continue;
      }
      JsonNode fromAnswer = answerBody == null ? null : answerBody.get(p.name());
      JsonNode v = fromAnswer != null && fromAnswer.isValueNode() ? fromAnswer : SampleValues.of(p.schema());
      headers.put(p.name(), v.asText());
    }
    return headers;
  }

  private static RequestParts parts(ServerRequest req, Route route, Matcher m, String body) {
    RequestParts parts = new RequestParts();
    for (Header h : req.headers()) {
      parts.header(h.name(), h.get());
    }
    String rawQuery = req.query().rawValue();
    if (!rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        parts.query().computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      }
    }
    for (int i = 0; i < route.pathParams().size(); i++) {
      parts.pathParam(route.pathParams().get(i), URLDecoder.decode(m.group(i + 1), StandardCharsets.UTF_8));
    }
    if (!body.isBlank()) {
      try {
        parts.body(JSON.readTree(body));
      } catch (IOException e) {
        parts.body(JSON.getNodeFactory().textNode(body));
      }
    }
    return parts;
  }

  private static @Nullable ResponseDefinition firstSuccess(Operation op) {
    for (ResponseDefinition r : op.responses().values()) {
      if (r.status().startsWith("2")) {
        return r;
      }
    }
    return op.responses().get("default");
  }

  private static int statusOf(String status) {
    try {
      return Integer.parseInt(status);
    } catch (NumberFormatException e) {
      return 200;
    }
  }

  /** Callback URLs end with a secret token: keep four characters of the last segment. */
  static String mask(String url) {
    int slash = url.lastIndexOf('/');
    if (slash < 0 || slash == url.length() - 1) {
      return url;
    }
    String last = url.substring(slash + 1);
    return url.substring(0, slash + 1) + last.substring(0, Math.min(4, last.length())) + "…";
  }

  private static void json(ServerResponse res, int status, String body) {
    res.status(status);
    res.header("Content-Type", "application/json");
    res.send(body);
  }

  private static void sleep(int attempt) {
    try {
      Thread.sleep(Math.min(2000, 100L << Math.min(attempt, 4)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builds a {@link MockService}. */
  public static final class Builder {
    private final ServiceDefinition service;
    private String host = "127.0.0.1";
    private int port;
    private Duration delay = Duration.ofSeconds(1);
    private KeyRule keyRule = KeyRule.roundRobin();
    private @Nullable CallbackPayloads payloads;
    private @Nullable SyncAnswers answers;
    private Consumer<Delivery> listener = d -> {};
    private int retries;

    private Builder(ServiceDefinition service) {
      this.service = Objects.requireNonNull(service);
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** 0 (the default) picks a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder callbackDelay(Duration delay) {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("callbackDelay must not be negative");
      }
      this.delay = delay;
      return this;
    }

    public Builder keyRule(KeyRule rule) {
      this.keyRule = Objects.requireNonNull(rule);
      return this;
    }

    public Builder payloads(CallbackPayloads payloads) {
      this.payloads = payloads;
      return this;
    }

    public Builder answers(SyncAnswers answers) {
      this.answers = answers;
      return this;
    }

    /** Called after each delivery (on a sender thread). */
    public Builder outcomeListener(Consumer<Delivery> listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    /** How often to send again after a 5xx answer or a connection error (default 0). */
    public Builder retries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("retries must not be negative");
      }
      this.retries = retries;
      return this;
    }

    public MockService build() {
      return new MockService(this);
    }
  }
}
