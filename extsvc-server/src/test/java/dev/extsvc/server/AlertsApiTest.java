package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static dev.extsvc.server.CallbackLoopTest.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.spec.RequestParts;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alerts as operators see them: {@code GET /api/alerts} and the console's overview. */
class AlertsApiTest {
  @TempDir Path dir;
  Fixture f;
  String base;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f =
        new Fixture(
                dir, b -> b.alerts(AlertRules.DEFAULTS.withNearDeadline(Duration.ofMinutes(10))))
            .withAcme();
    base = "http://127.0.0.1:" + f.server.port();
  }

  @AfterEach
  void stop() {
    f.close();
    RecordingHandler.reset();
  }

  String get(String path, int status) throws Exception {
    HttpResponse<String> r =
        f.http.send(
            HttpRequest.newBuilder(URI.create(base + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
    return r.body();
  }

  @Test
  void aFiringAlertIsListedByTheApiAndShownOnTheOverviewUntilItResolves() throws Exception {
    RequestParts input =
        RequestParts.fromJson(Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Ada\"}}}"));
    InvocationResult r =
        f.services.invoke(
            Fixture.ACME,
            "SubmitApplication",
            input,
            new RecordingHandler("Ada", APPROVED),
            Duration.ofMinutes(5));
    f.services.checkAlerts();

    JsonNode alerts = Json.readTrusted(get("/api/alerts", 200));
    assertThat(alerts.path("firing")).hasSize(1);
    JsonNode a = alerts.path("firing").get(0);
    assertThat(a.path("rule").asText()).isEqualTo("near-deadline");
    assertThat(a.path("state").asText()).isEqualTo("firing");
    assertThat(a.path("subject").asText()).isEqualTo(Fixture.ACME + "/SubmitApplication");
    assertThat(a.path("invocations").get(0).asText()).isEqualTo(r.invocationId().toString());
    assertThat(a.path("delivery").asText()).isEqualTo("not sent: no webhook configured");
    assertThat(alerts.path("resolved")).isEmpty();
    String overview = get("/console", 200);
    assertThat(overview)
        .contains("1 firing")
        .contains("near-deadline")
        .contains("/console/invocations/" + r.invocationId());
    assertThat(Json.readTrusted(get("/api/overview", 200)).path("alerts")).hasSize(1);

    assertThat(f.postJson(r.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(200);
    f.services.checkAlerts();

    JsonNode after = Json.readTrusted(get("/api/alerts", 200));
    assertThat(after.path("firing")).isEmpty();
    assertThat(after.path("resolved").get(0).path("id").asText()).isEqualTo(a.path("id").asText());
    assertThat(after.path("resolved").get(0).path("resolvedAt").asText()).isNotEmpty();
    assertThat(Json.readTrusted(get("/api/alerts?state=firing", 200)).has("resolved")).isFalse();
    assertThat(get("/console", 200)).contains("No alert is firing").contains("Resolved lately");
    assertThat(get("/api/alerts?state=loud", 400)).contains("state must be firing or resolved");
  }

  @Test
  void aWebhookThatRefusesThePostIsShownWithItsErrorByTheApiAndTheOverview() throws Exception {
    f.close();
    com.sun.net.httpserver.HttpServer refusing =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    java.util.concurrent.atomic.AtomicInteger posts =
        new java.util.concurrent.atomic.AtomicInteger();
    refusing.createContext(
        "/hook",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          posts.incrementAndGet();
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
        });
    refusing.start();
    try {
      URI hook = URI.create("http://127.0.0.1:" + refusing.getAddress().getPort() + "/hook");
      f =
          new Fixture(
                  dir,
                  b ->
                      b.alerts(
                          AlertRules.NONE
                              .withNearDeadline(Duration.ofMinutes(10))
                              .withWebhook(new AlertRules.Webhook(hook, null))))
              .withAcme();
      base = "http://127.0.0.1:" + f.server.port();
      f.services.invoke(
          Fixture.ACME,
          "SubmitApplication",
          RequestParts.fromJson(Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Bo\"}}}")),
          new RecordingHandler("Bo", APPROVED),
          Duration.ofMinutes(8));

      f.services.checkAlerts();

      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  Json.readTrusted(get("/api/alerts", 200))
                      .path("firing")
                      .path(0)
                      .path("delivery")
                      .asText()
                      .startsWith("not sent"));
      assertThat(
              Json.readTrusted(get("/api/alerts", 200))
                  .path("firing")
                  .get(0)
                  .path("delivery")
                  .asText())
          .startsWith("not sent: HTTP 503 after 3 attempts to the webhook; trying again at ")
          .doesNotContain("/hook");
      assertThat(get("/console", 200)).contains("not sent: HTTP 503 after 3 attempts");
      assertThat(posts).hasValue(3);
    } finally {
      refusing.stop(0);
    }
  }
}
