package dev.extsvc.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A service on loopback whose answer depends on the request (a 401 for a revoked token, a fresh
 * token from a token endpoint); over TLS with a required client certificate when given an SSL
 * context.
 */
final class LocalService implements AutoCloseable {
  record Seen(
      String method,
      URI uri,
      Map<String, List<String>> headers,
      String body,
      String clientCertificate) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  record Answer(int status, String body, Map<String, String> headers) {
    Answer(int status, String body) {
      this(status, body, Map.of());
    }
  }

  private final HttpServer server;
  private final boolean tls;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile Function<Seen, Answer> answer = s -> new Answer(201, "{\"ok\":true}");

  LocalService() {
    this(null);
  }

  LocalService(SSLContext context) {
    try {
      InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
      if (context == null) {
        server = HttpServer.create(at, 0);
      } else {
        HttpsServer https = HttpsServer.create(at, 0);
        https.setHttpsConfigurator(
            new HttpsConfigurator(context) {
              @Override
              public void configure(HttpsParameters params) {
                SSLParameters p = context.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
              }
            });
        server = https;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.tls = context != null;
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String peer = "";
    if (exchange instanceof HttpsExchange s) {
      try {
        peer = s.getSSLSession().getPeerPrincipal().getName();
      } catch (SSLPeerUnverifiedException e) {
        peer = "none";
      }
    }
    Seen s =
        new Seen(
            exchange.getRequestMethod(),
            exchange.getRequestURI(),
            Map.copyOf(exchange.getRequestHeaders()),
            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
            peer);
    seen.add(s);
    Answer a = answer.apply(s);
    byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    a.headers().forEach(exchange.getResponseHeaders()::add);
    exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  String url() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Seen> seen() {
    return seen;
  }

  void answer(Function<Seen, Answer> a) {
    this.answer = a;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
