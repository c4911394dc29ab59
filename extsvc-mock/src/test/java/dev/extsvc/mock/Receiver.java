package dev.extsvc.mock;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A callback receiver on loopback for tests: records what arrives and answers 200 unless told
 * otherwise.
 */
final class Receiver implements AutoCloseable {
  record Received(
      String method,
      String path,
      String query,
      Map<String, String> headers,
      String body,
      Instant receivedAt) {}

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();

  /** One planned answer: a status and its headers. */
  private record Answer(int status, Map<String, String> headers) {}

  private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
  private volatile int defaultStatus = 200;

  Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  /** "http://127.0.0.1:PORT/callbacks/" + token. */
  String url(String token) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/callbacks/" + token;
  }

  /** Answers the next requests with these statuses, then with the default. */
  Receiver answer(Integer... next) {
    for (int status : next) {
      answers.add(new Answer(status, Map.of()));
    }
    return this;
  }

  /** Answers the next request with this status and a {@code Retry-After} header. */
  Receiver answerRetryAfter(int status, String retryAfter) {
    answers.add(new Answer(status, Map.of("Retry-After", retryAfter)));
    return this;
  }

  Receiver answerAlways(int status) {
    defaultStatus = status;
    return this;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  private void handle(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(", ", v)));
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    received.add(
        new Received(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath(),
            exchange.getRequestURI().getRawQuery(),
            headers,
            body,
            Instant.now()));
    Answer next = answers.poll();
    if (next != null) {
      next.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    }
    exchange.sendResponseHeaders(next == null ? defaultStatus : next.status(), -1);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
