package dev.extsvc.bench;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;

/**
 * The external service of the invocation benchmark, as bare as it gets: reads the request and
 * answers 201 with a small JSON body, so what is measured is our side of the callout. Helidon
 * rather than the JDK's HttpServer, which now and then closed a kept-alive connection under a
 * request in flight (the callout then failed; see the report).
 */
final class StandIn implements AutoCloseable {
  private static final String ANSWER = "{\"applicationNumber\":\"A-1001\"}";

  private final WebServer server;

  StandIn() {
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(
                r ->
                    r.any(
                        (req, res) -> {
                          req.content().as(byte[].class);
                          res.status(Status.CREATED_201);
                          res.header(HeaderNames.CONTENT_TYPE, "application/json");
                          res.send(ANSWER);
                        }))
            .build()
            .start();
  }

  String url() {
    return "http://127.0.0.1:" + server.port();
  }

  @Override
  public void close() {
    server.stop();
  }
}
