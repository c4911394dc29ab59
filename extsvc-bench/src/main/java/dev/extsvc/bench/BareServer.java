package dev.extsvc.bench;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * The limit beside our figures: an HTTP endpoint that reads the body and answers 200 with a small
 * JSON body, and does nothing else. Same paths as the callback endpoint, so the load is byte for
 * byte the same.
 */
interface BareServer extends AutoCloseable {
  String OK = "{\"message\":\"Callback handled\"}";

  String url();

  @Override
  void close();

  /** Helidon SE, the web server our own endpoint runs on. */
  static BareServer helidon() {
    WebServer server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(
                r ->
                    r.any(
                        "/callbacks/*",
                        (req, res) -> {
                          req.content().as(byte[].class);
                          res.header(HeaderNames.CONTENT_TYPE, "application/json");
                          res.send(OK);
                        }))
            .build()
            .start();
    return new BareServer() {
      @Override
      public String url() {
        return "http://127.0.0.1:" + server.port();
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }

  /** Vert.x core on its event loops: the fastest plain JVM HTTP we measured. */
  static BareServer vertx() {
    Vertx vertx = Vertx.vertx();
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body ->
                                req.response()
                                    .putHeader("Content-Type", "application/json")
                                    .end(OK))
                        .onFailure(e -> req.response().setStatusCode(400).end()))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    return new BareServer() {
      @Override
      public String url() {
        return "http://127.0.0.1:" + server.actualPort();
      }

      @Override
      public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
      }
    };
  }
}
