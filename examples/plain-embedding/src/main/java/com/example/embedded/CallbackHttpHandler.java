package com.example.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.extsvc.runtime.CallbackEndpoint;
import dev.extsvc.runtime.CallbackExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * The whole adapter between an application's HTTP server (here the JDK's) and extsvc: a {@link
 * CallbackExchange} says how to read the request and send the answer; {@link CallbackEndpoint} does
 * the rest (the token path under the callback path, the body under the receiver's limit, the JSON
 * answer). Any server is adapted the same way.
 */
final class CallbackHttpHandler implements HttpHandler {
  private final CallbackEndpoint endpoint;

  CallbackHttpHandler(CallbackEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      endpoint.serve(new Exchange(exchange));
    }
  }

  private record Exchange(HttpExchange exchange) implements CallbackExchange {
    @Override
    public String method() {
      return exchange.getRequestMethod();
    }

    @Override
    public String rawPath() {
      return exchange.getRequestURI().getRawPath();
    }

    @Override
    public Map<String, List<String>> headers() {
      return exchange.getRequestHeaders();
    }

    @Override
    public long contentLength() {
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      try {
        return length == null ? -1 : Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        return -1; // read as if undeclared: still bounded by the limit
      }
    }

    @Override
    public InputStream body() {
      return exchange.getRequestBody();
    }

    @Override
    public String remoteAddress() {
      return exchange.getRemoteAddress().getAddress().getHostAddress();
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] body) throws IOException {
      headers.forEach(exchange.getResponseHeaders()::set);
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
    }
  }
}
