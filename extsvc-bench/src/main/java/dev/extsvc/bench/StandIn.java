package dev.extsvc.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The external service of the invocation benchmark, as bare as it gets: reads the request and answers 201 with a
 * small JSON body, so what is measured is our side of the callout.
 */
final class StandIn implements AutoCloseable {
  private static final byte[] ANSWER = "{\"applicationNumber\":\"A-1001\"}".getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;

  StandIn() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(201, ANSWER.length);
        exchange.getResponseBody().write(ANSWER);
      }
    });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
