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
  private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
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
    statuses.addAll(List.of(next));
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
    Integer next = statuses.poll();
    exchange.sendResponseHeaders(next == null ? defaultStatus : next, -1);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
