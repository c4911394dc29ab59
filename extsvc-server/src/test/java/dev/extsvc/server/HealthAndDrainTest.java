package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static dev.extsvc.server.CallbackLoopTest.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load balancer's view of a node: liveness and readiness probes without the admin token, the
 * node id in {@code /api/health}, and a rolling restart's drain over real HTTP.
 */
class HealthAndDrainTest {
  @TempDir Path dir;
  Fixture f;
  String base;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f =
        new Fixture(dir, b -> b.nodeId("node-7"), s -> s.adminToken(AdminTokenTest.TOKEN))
            .withAcme();
    base = "http://127.0.0.1:" + f.server.port();
  }

  @AfterEach
  void stop() {
    f.close();
    RecordingHandler.reset();
  }

  HttpResponse<String> get(String path, String... headers) {
    var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    try {
      return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  InvocationResult submit(String applicant) {
    RequestParts input =
        RequestParts.fromJson(
            Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"" + applicant + "\"}}}"));
    return f.services.invoke(
        Fixture.ACME,
        "SubmitApplication",
        input,
        new RecordingHandler(applicant, APPROVED),
        Duration.ofHours(1));
  }

  @Test
  void theProbesAndHealthNeedNoTokenAndSayOnlyTheStatusAndHealthNamesTheNode() {
    HttpResponse<String> live = get("/api/health/live");
    HttpResponse<String> ready = get("/api/health/ready");

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("{\"status\":\"READY\"}");
    HttpResponse<String> open = get("/api/health");
    assertThat(open.statusCode()).isEqualTo(200);
    JsonNode health = Json.readTrusted(open.body());
    assertThat(health.properties())
        .extracting(java.util.Map.Entry::getKey)
        .containsExactlyInAnyOrder("status", "store", "node", "draining");
    assertThat(health.get("node").asText()).isEqualTo("node-7");
    assertThat(health.get("status").asText()).isEqualTo("UP");
  }

  @Test
  void aDrainingNodeIsNotReadyAnswersNewCallbacks503WithRetryAfterAndFinishesARunningHandler()
      throws Exception {
    InvocationResult running = submit("Ann");
    InvocationResult late = submit("Bob");
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingHandler.DURING =
        () -> {
          inside.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<HttpResponse<String>> first =
          pool.submit(() -> f.postJson(running.callbackUrls().get(APPROVED), APPROVED_BODY));
      assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

      Future<?> drain = pool.submit(() -> f.services.drain(Duration.ofSeconds(10)));
      await().atMost(Duration.ofSeconds(5)).until(f.services::draining);

      HttpResponse<String> ready = get("/api/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).isEqualTo("{\"status\":\"NOT_READY\"}");
      assertThat(get("/api/health/live").statusCode()).isEqualTo(200);
      HttpResponse<String> refused = f.postJson(late.callbackUrls().get(APPROVED), APPROVED_BODY);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(drain.isDone()).isFalse();

      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      drain.get(10, TimeUnit.SECONDS);
    }
    assertThat(f.services.invocation(running.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.invocation(late.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
    assertThat(RecordingHandler.SEEN)
        .extracting(RecordingHandler.Seen::applicant)
        .containsExactly("Ann");
  }
}
