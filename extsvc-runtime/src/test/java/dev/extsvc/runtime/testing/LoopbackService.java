package dev.extsvc.runtime.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A stand-in for an external service on the JDK's HTTP server at 127.0.0.1 on a free port: answers
 * every request with a chosen status and JSON body, records what it received, and may act on a
 * request before it answers (to send a callback that beats the synchronous answer). Configure the
 * runtime with {@link #url()} as the endpoint and {@code allowPrivateNetworks(true)} (it is on
 * loopback).
 */
public final class LoopbackService implements AutoCloseable {
  /** One request as the service received it. */
  public record Request(String method, URI uri, Map<String, List<String>> headers, String body) {
    /** The first value of a header (case-insensitive), or null. */
    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  /** What the service answers: a status, a JSON body (empty for none) and extra headers. */
  public record Answer(int status, String body, Map<String, String> headers) {
    public Answer {
      Objects.requireNonNull(body, "body");
      headers = Map.copyOf(headers);
    }

    public Answer(int status, String body) {
      this(status, body, Map.of());
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final List<Request> received = new CopyOnWriteArrayList<>();
  private volatile Answer answer = new Answer(201, "{\"applicationNumber\":\"A-1001\"}");
  private volatile Consumer<Request> beforeAnswer = r -> {};

  /** Starts listening at once. */
  public LoopbackService() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Request r =
          new Request(
              exchange.getRequestMethod(),
              exchange.getRequestURI(),
              Map.copyOf(exchange.getRequestHeaders()),
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      received.add(r);
      beforeAnswer.accept(r);
      Answer a = answer;
      byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      a.headers().forEach(exchange.getResponseHeaders()::add);
      exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  /** The base URL, e.g. {@code http://127.0.0.1:53124}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every request so far, oldest first. */
  public List<Request> received() {
    return List.copyOf(received);
  }

  /** The only request so far; fails when there were none or several. */
  public Request onlyRequest() {
    List<Request> all = received();
    if (all.size() != 1) {
      throw new AssertionError("expected one request, got " + all.size());
    }
    return all.get(0);
  }

  /** From now on, answers with this status and body. */
  public LoopbackService answer(int status, String body) {
    return answer(new Answer(status, body));
  }

  /** From now on, gives this answer. */
  public LoopbackService answer(Answer newAnswer) {
    this.answer = Objects.requireNonNull(newAnswer, "answer");
    return this;
  }

  /** From now on, runs this on each request before answering it (on the server's thread). */
  public LoopbackService beforeAnswer(Consumer<Request> action) {
    this.beforeAnswer = Objects.requireNonNull(action, "action");
    return this;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
