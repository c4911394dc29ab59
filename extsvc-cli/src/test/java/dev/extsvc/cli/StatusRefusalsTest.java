package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.mock.MockService;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `extsvc status` shows a refused callback and why, though no callback was stored. */
class StatusRefusalsTest {
  @TempDir Path dir;
  MockService bank;
  JdbcStore store;
  ExternalServices services;
  ExtsvcServer server;

  @BeforeEach
  void start() throws Exception {
    String spec = Files.readString(Path.of("../examples/acme-mortgages.json"));
    bank =
        MockService.builder(Registrar.defaults().register(spec, null).service())
            .callbackDelay(Duration.ofHours(1)) // the test sends the callback itself
            .build()
            .start();
    store = JdbcStore.sqlite(dir.resolve("extsvc.db"));
    int port = Ports.free();
    services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("http://127.0.0.1:" + port)
            .endpoint("Acme Mortgages", bank.baseUrl())
            .allowPrivateNetworks(true)
            .build();
    services.register(spec, null);
    server = ExtsvcServer.builder(services).port(port).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
    services.close();
    store.close();
    bank.close();
  }

  @Test
  void statusCountsRefusedCallbacksAndItsDebugLogSaysWhy() throws Exception {
    InvocationResult result =
        services.invoke(
            "Acme Mortgages",
            "SubmitApplication",
            new RequestParts().body(Json.readTrusted("{\"applicant\":{\"name\":\"Ida\"}}")),
            null,
            null);
    HttpResponse<String> refused =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(result.callbackUrls().get("applicationOutcomeApproved")))
                    .timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"status\":7}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    CliTest.Run status =
        CliTest.run("status", "--server", server.localUrl(), result.invocationId().toString());

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(status.code()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("1 callback(s) refused: the debug log says why")
        .contains("CALLBACK_REJECTED")
        .contains("does not match the callback's schema")
        .contains("/status");
  }
}
