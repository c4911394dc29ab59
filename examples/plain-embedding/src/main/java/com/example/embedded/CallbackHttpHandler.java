package com.example.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.extsvc.runtime.CallbackReceiver;
import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.CallbackResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The whole adapter between an application's HTTP server (here the JDK's) and extsvc's framework-neutral
 * receiver: what follows the callback path, the method, headers and body (read under the receiver's limit) go
 * in; status, headers and body come out. Any server is adapted the same way.
 */
final class CallbackHttpHandler implements HttpHandler {
  private final CallbackReceiver receiver;
  private final String callbackPath;

  CallbackHttpHandler(CallbackReceiver receiver, String callbackPath) {
    this.receiver = receiver;
    this.callbackPath = callbackPath;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String rest = exchange.getRequestURI().getRawPath().substring(callbackPath.length());
      CallbackResponse answer = receiver.handle(new CallbackRequest(exchange.getRequestMethod(), rest,
          exchange.getRequestHeaders(), readBounded(exchange.getRequestBody(), receiver.limits().maxBodyBytes()),
          exchange.getRemoteAddress().getAddress().getHostAddress()));
      answer.headers().forEach(exchange.getResponseHeaders()::add);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
    }
  }

  /** Null once the body exceeds the limit: the receiver answers 413 without the rest being read. */
  private static byte @org.jspecify.annotations.Nullable [] readBounded(InputStream in, int limit) throws IOException {
    byte[] body = in.readNBytes(limit + 1);
    return body.length > limit ? null : body;
  }
}
