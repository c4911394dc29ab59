package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static dev.extsvc.server.CallbackLoopTest.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller's secrets given to {@code POST /api/invocations} and a sender's secret headers reach the
 * service and the receiver, and neither the database, the API, the console nor the debug log shows
 * them.
 */
class SecretMaskingTest {
  static final List<String> SECRETS =
      List.of("caller-bearer-1", "caller-key-2", "caller-token-3", "tenant-4", "sender-sig-5");

  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void start() {
    f = new Fixture(dir, b -> b.maskNames("X-Tenant")).withAcme();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    return f.http.send(
        HttpRequest.newBuilder(URI.create(f.server.localUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void secretsAreSentButTheApiTheConsoleTheStoreAndTheEventsShowThemMasked() throws Exception {
    HttpResponse<String> invoked =
        f.postJson(
            f.server.localUrl() + "/api/invocations",
            """
            {"service": "Acme Mortgages", "operation": "SubmitApplication",
             "request": {"headers": {"Authorization": "Bearer caller-bearer-1",
                                     "X-Api-Key": "caller-key-2", "X-Tenant": "tenant-4"},
                         "query": {"access_token": "caller-token-3"},
                         "body": {"applicant": {"name": "Alice"}}}}
            """);
    assertThat(invoked.statusCode()).as(invoked.body()).isBetween(200, 299);
    String id = Json.readTrusted(invoked.body()).get("invocationId").asText();

    TestBank.Received sent = f.bank.received().get(0);
    assertThat(sent.headers().toString())
        .contains("Bearer caller-bearer-1")
        .contains("caller-key-2")
        .contains("tenant-4");
    assertThat(sent.uri().getRawQuery()).contains("access_token=caller-token-3");
    String callbackUrl =
        Json.readTrusted(sent.body()).at("/callbackUrlForOutcomes/approved").asText();
    HttpResponse<String> callback =
        f.http.send(
            HttpRequest.newBuilder(URI.create(callbackUrl))
                .header("Content-Type", "application/json")
                .header("Webhook-Signature", "v1,sender-sig-5")
                .POST(HttpRequest.BodyPublishers.ofString(APPROVED_BODY))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(callback.statusCode()).isEqualTo(200);

    String api = get("/api/invocations/" + id).body();
    String console = get("/console/invocations/" + id).body();
    String stored =
        f.store.invocation(java.util.UUID.fromString(id)).orElseThrow().request()
            + f.store.callbacks(java.util.UUID.fromString(id)).get(0).headers();
    StringBuilder events = new StringBuilder();
    f.store.events(java.util.UUID.fromString(id)).forEach(e -> events.append(e.message()));

    assertThat(api).contains("****").contains(APPROVED);
    assertThat(console).contains("****");
    for (String secret : SECRETS) {
      assertThat(api).as("API").doesNotContain(secret);
      assertThat(console).as("console").doesNotContain(secret);
      assertThat(stored).as("store").doesNotContain(secret);
      assertThat(events.toString()).as("events").doesNotContain(secret);
    }
  }
}
