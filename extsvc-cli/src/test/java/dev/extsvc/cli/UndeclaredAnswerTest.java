package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.store.jdbc.JdbcStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `extsvc invoke` prints an answer the spec never declared as it came: text as text, nothing for no
 * body.
 */
class UndeclaredAnswerTest {
  @TempDir Path dir;
  HttpServer bank;
  volatile String answer = "";
  JdbcStore store;
  ExternalServices services;
  ExtsvcServer server;

  @BeforeEach
  void start() throws Exception {
    // A bank that answers 200 (Acme's spec declares 201 and 400) with whatever the test sets.
    bank = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    bank.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain");
          exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    bank.start();
    store = JdbcStore.sqlite(dir.resolve("extsvc.db"));
    int port = Ports.free();
    services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("http://127.0.0.1:" + port)
            .endpoint("Acme Mortgages", "http://127.0.0.1:" + bank.getAddress().getPort())
            .allowPrivateNetworks(true)
            .build();
    services.register(Files.readString(Path.of("../examples/acme-mortgages.json")), null);
    server = ExtsvcServer.builder(services).port(port).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
    services.close();
    store.close();
    bank.stop(0);
  }

  @Test
  void aTextAnswerIsPrintedAsReceived() {
    answer = "accepted, thank you";

    CliTest.Run r =
        CliTest.run(
            "invoke",
            "--server",
            server.localUrl(),
            "Acme Mortgages",
            "SubmitApplication",
            "--body",
            "{}");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("HTTP 200\naccepted, thank you\ninvocation ")
        .doesNotContain("null")
        .doesNotContain("\"accepted");
  }

  @Test
  void anEmptyAnswerPrintsNoBodyAndNoNull() {
    answer = "";

    CliTest.Run r =
        CliTest.run(
            "invoke",
            "--server",
            server.localUrl(),
            "Acme Mortgages",
            "SubmitApplication",
            "--body",
            "{}");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("HTTP 200\ninvocation ").doesNotContain("null");
  }
}
