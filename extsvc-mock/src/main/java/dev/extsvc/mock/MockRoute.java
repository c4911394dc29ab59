package dev.extsvc.mock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.spec.RequestParts;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.Header;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Answers every request the way the document says the operation answers, then hands callbacks to
 * dispatch.
 */
final class MockRoute implements Handler {
  /**
   * Requests larger than this are refused: the mock is for tests and demos, not for bulk uploads.
   */
  static final int MAX_BODY_BYTES = 10 * 1024 * 1024;

  private final Routes routes;
  private final Map<String, MockOperation> operations;
  private final @Nullable SyncAnswers answers;
  private final CallbackDispatcher dispatcher;
  private final Consumer<RecordedRequest> record;
  private final InstantSource clock;
  private final ObjectMapper json = new ObjectMapper();
  private final ProviderFaults faults;

  /** Callouts so far (requests that matched an operation): the faults choose by this number. */
  private final AtomicLong callouts = new AtomicLong();

  MockRoute(
      Routes routes,
      Map<String, MockOperation> operations,
      @Nullable SyncAnswers answers,
      CallbackDispatcher dispatcher,
      Consumer<RecordedRequest> record,
      InstantSource clock) {
    this(routes, operations, answers, dispatcher, record, clock, ProviderFaults.NONE);
  }

  MockRoute(
      Routes routes,
      Map<String, MockOperation> operations,
      @Nullable SyncAnswers answers,
      CallbackDispatcher dispatcher,
      Consumer<RecordedRequest> record,
      InstantSource clock,
      ProviderFaults faults) {
    this.faults = faults;
    this.routes = routes;
    this.operations = operations;
    this.answers = answers;
    this.dispatcher = dispatcher;
    this.record = record;
    this.clock = clock;
  }

  @Override
  public void handle(ServerRequest req, ServerResponse res) {
    String method = req.prologue().method().text();
    String rawPath = req.path().rawPath();
    byte[] bytes;
    try {
      bytes = read(req);
    } catch (IOException | RuntimeException e) {
      error(res, 400, "Unreadable request body");
      return;
    }
    if (bytes == null) {
      res.header("Connection", "close");
      error(res, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
      return;
    }
    String body = new String(bytes, StandardCharsets.UTF_8);
    Routes.Lookup lookup = routes.find(method, rawPath);
    Routes.Found found = lookup instanceof Routes.Found f ? f : null;
    RecordedRequest recorded =
        new RecordedRequest(
            found == null ? null : found.operation().id(),
            method,
            rawPath,
            found == null ? Map.of() : found.pathParameters(),
            query(req.query()),
            headers(req),
            body,
            clock.instant());
    record.accept(recorded);
    switch (lookup) {
      case Routes.NotFound n -> error(res, 404, "No operation at " + method + " " + rawPath);
      case Routes.WrongMethod w -> {
        res.header("Allow", String.join(", ", w.allowed()));
        error(
            res,
            405,
            method
                + " is not allowed at "
                + rawPath
                + " (allowed: "
                + String.join(", ", w.allowed())
                + ")");
      }
      case Routes.Found f -> answer(req, res, f, recorded);
    }
  }

  private void answer(
      ServerRequest req, ServerResponse res, Routes.Found found, RecordedRequest recorded) {
    RequestParts parts = new RequestParts();
    recorded
        .query()
        .forEach((name, values) -> parts.query().put(name, new java.util.ArrayList<>(values)));
    recorded.headers().forEach(parts::header);
    found.pathParameters().forEach(parts::pathParam);
    if (!recorded.body().isBlank()) {
      try {
        parts.body(json.readTree(recorded.body()));
      } catch (JsonProcessingException e) {
        String type = recorded.header("Content-Type");
        if (type != null && type.contains("json")) {
          error(res, 400, "Request body is not JSON: " + e.getOriginalMessage());
          return;
        }
      }
    }
    // The router was built from the same operations.
    MockOperation op = Objects.requireNonNull(operations.get(found.operation().id()));
    long n = callouts.incrementAndGet();
    Duration late = faults.lateness(n);
    if (!late.isZero()) {
      try {
        Thread.sleep(late); // a virtual thread: a slow provider costs the mock nothing
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // the mock is closing
      }
    }
    if (faults.fails(n)) {
      // a provider that failed took nothing on: no callback follows
      error(
          res, 500, "The mock answers this callout 500, as its scenario says (callout " + n + ")");
      return;
    }
    JsonNode chosen = answers == null ? null : answers.answer(op.operation(), parts.copy());
    JsonNode body = chosen != null ? chosen : op.body();
    boolean early = op.operation().async() && dispatcher.beforeAnswer();
    if (early) { // a provider whose callback beats its own answer
      dispatcher.dispatch(op, recorded, parts, requestUrl(req, recorded), body);
    }
    res.status(op.status());
    if (body == null) {
      res.send();
    } else {
      boolean asJson = chosen != null || op.json();
      String type = op.contentType();
      res.header("Content-Type", asJson && !type.contains("json") ? "application/json" : type);
      res.send((asJson ? body.toString() : body.asText()).getBytes(StandardCharsets.UTF_8));
    }
    if (op.operation().async() && !early) {
      dispatcher.dispatch(op, recorded, parts, requestUrl(req, recorded), body);
    }
  }

  private static String requestUrl(ServerRequest req, RecordedRequest recorded) {
    String query = req.query().rawValue();
    return "http://" + req.authority() + recorded.path() + (query.isEmpty() ? "" : "?" + query);
  }

  private void error(ServerResponse res, int status, String message) {
    res.status(status);
    res.header("Content-Type", "application/json");
    res.send(
        json.createObjectNode()
            .put("message", message)
            .toString()
            .getBytes(StandardCharsets.UTF_8));
  }

  /** The body, or null when it is larger than the limit. */
  private static byte @Nullable [] read(ServerRequest req) throws IOException {
    if (req.headers().contentLength().orElse(0) > MAX_BODY_BYTES) {
      return null;
    }
    if (!req.content().hasEntity()) {
      return new byte[0];
    }
    try (InputStream in = req.content().inputStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      return bytes.length > MAX_BODY_BYTES ? null : bytes;
    }
  }

  private static Map<String, List<String>> query(UriQuery query) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String name : query.names()) {
      out.put(name, query.all(name));
    }
    return out;
  }

  private static Map<String, String> headers(ServerRequest req) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Header h : req.headers()) {
      out.merge(h.name(), String.join(", ", h.allValues()), (a, b) -> a + ", " + b);
    }
    return out;
  }
}
