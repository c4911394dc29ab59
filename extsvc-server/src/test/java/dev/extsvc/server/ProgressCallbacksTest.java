package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.mock.Delivery;
import dev.extsvc.mock.MockService;
import dev.extsvc.mock.Scenario;
import dev.extsvc.runtime.Acknowledgement;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting beyond one callback, end to end: the mock sends several callbacks per invocation to the
 * bundled server, on the store each subclass gives (SQLite, PostgreSQL).
 */
abstract class ProgressCallbacksTest {
  static final String JOBS = "Jobs";

  @TempDir Path dir;
  MockService mock;
  Fixture f;

  abstract JdbcStore store(Path dir);

  static String spec() {
    try {
      return Files.readString(Path.of("src/test/resources/jobs.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @BeforeEach
  void reset() {
    JobHandler.reset();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
    if (mock != null) {
      mock.close();
    }
  }

  void start(Scenario scenario, Consumer<ExternalServices.Builder> more) {
    mock =
        MockService.builder(Registrar.defaults().register(spec(), JOBS).service())
            .callbackDelay(Duration.ofMillis(50))
            .scenario(scenario)
            .build()
            .start();
    f =
        new Fixture(
            dir,
            store(dir),
            b -> {
              // Real time: arrival order is the order of arrival times, which a fixed clock would
              // leave to the ids' random bits.
              b.endpoint(JOBS, mock.baseUrl())
                  .maxCallbackTimeout(Duration.ofHours(48))
                  .clock(java.time.Clock.systemUTC());
              more.accept(b);
            });
    assertThat(f.services.register(spec(), JOBS).ok()).isTrue();
  }

  InvocationResult runJob(Duration timeout, String... headers) {
    String base = "http://127.0.0.1:" + f.server.port() + "/callbacks/";
    RequestParts request =
        new RequestParts()
            .body(
                Json.readTrusted(
                    "{\"hooks\":{\"status\":\""
                        + base
                        + "\",\"alive\":\""
                        + base
                        + "\",\"done\":\""
                        + base
                        + "\"}}"));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return f.services.invoke(JOBS, "runJob", request, new JobHandler("job-1"), timeout);
  }

  InvocationStatus status(UUID id) {
    return f.services.invocation(id).orElseThrow().status();
  }

  void awaitStatus(UUID id, InvocationStatus status) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status(id) == status);
  }

  /** Lets time pass for deadlines (real time: the system's, or the database's). */
  static void pass(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  List<String> handledInOrder() {
    List<String> all = new ArrayList<>();
    JobHandler.RUNS.forEach(r -> all.addAll(r.sequence()));
    return all;
  }

  @Test
  void threeProgressCallbacksThenAFinalOneEachRunTheHandlerOnceInOrderAndCompleteOnce() {
    // every callback sent twice: the copies are answered without running the handler again
    start(Scenario.parse("status*3@100ms,done@100ms").withDuplicates(1), b -> {});
    InvocationResult r = runJob(null);

    awaitStatus(r.invocationId(), InvocationStatus.COMPLETED);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 8);

    assertThat(handledInOrder()).containsExactly("1", "2", "3", "4");
    assertThat(JobHandler.RUNS).hasSizeLessThanOrEqualTo(4);
    assertThat(JobHandler.RUNS.getLast().keys()).last().isEqualTo("done");
    assertThat(mock.deliveries()).allSatisfy(d -> assertThat(d.status()).isEqualTo(200));
    assertThat(f.services.events(r.invocationId()))
        .filteredOn(e -> e.kind().name().equals("COMPLETED"))
        .hasSize(1);
  }

  @Test
  void progressCallbacksArrivingDuringASlowRunAreHandedOverAsOneListInOrder() {
    JobHandler.firstRunMillis = 1500;
    start(
        Scenario.parse("status*4@100ms,done@3s"),
        b -> b.acknowledgement(JOBS, Acknowledgement.DURABLE));
    InvocationResult r = runJob(null);

    awaitStatus(r.invocationId(), InvocationStatus.COMPLETED);

    assertThat(JobHandler.RUNS)
        .extracting(JobHandler.Run::sequence)
        .containsExactly(List.of("1"), List.of("2", "3", "4"), List.of("5"));
  }

  @Test
  void aHeartbeatKeyKeepsAnInvocationAlivePastItsOriginalDeadline() throws Exception {
    start(Scenario.parse("alive"), b -> {});
    // long enough for the heartbeat to arrive on a loaded machine, where time is the database's
    InvocationResult r = runJob(Duration.ofSeconds(8));
    UUID id = r.invocationId();
    Instant original = f.services.invocation(id).orElseThrow().deadline();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                f.services.events(id).stream()
                    .anyMatch(e -> e.kind().name().equals("DEADLINE_EXTENDED")));

    pass(Duration.ofSeconds(9));
    f.services.sweepNow();

    assertThat(status(id)).isEqualTo(InvocationStatus.PENDING);
    Instant moved = f.services.invocation(id).orElseThrow().deadline();
    assertThat(moved).isAfter(original.plus(Duration.ofMinutes(59)));
    assertThat(f.services.events(id))
        .anySatisfy(
            e ->
                assertThat(e.message())
                    .contains("Deadline moved from " + original)
                    .contains("heartbeat callback alive"));
  }

  @Test
  void anExtensionThroughTheRestApiMovesTheDeadlineAndRefusesWhatItCannotDo() {
    start(Scenario.parse("done"), b -> {});
    InvocationResult r =
        runJob(Duration.ofHours(1), MockService.KEY_HEADER, MockService.NO_CALLBACK);
    UUID id = r.invocationId();
    Instant before = f.services.invocation(id).orElseThrow().deadline();
    String api = "http://127.0.0.1:" + f.server.port() + "/api/invocations/";

    var extended = f.postJson(api + id + "/extend", "{\"by\":\"PT2H\"}");

    assertThat(extended.statusCode()).isEqualTo(200);
    JsonNode body = Json.readTrusted(extended.body());
    assertThat(Instant.parse(body.get("deadline").asText()))
        .isEqualTo(before.plus(Duration.ofHours(2)));
    assertThat(f.services.events(id))
        .anySatisfy(e -> assertThat(e.kind().name()).isEqualTo("DEADLINE_EXTENDED"));
    assertThat(f.postJson(api + id + "/extend", "{\"by\":\"soon\"}").statusCode()).isEqualTo(400);
    var tooFar = f.postJson(api + id + "/extend", "{\"by\":\"PT50H\"}");
    assertThat(tooFar.statusCode()).isEqualTo(400);
    assertThat(tooFar.body()).contains("maximum callback timeout");
    assertThat(f.postJson(api + UUID.randomUUID() + "/extend", "{\"by\":\"PT1H\"}").statusCode())
        .isEqualTo(404);
    f.services.cancel(id, "done with it");
    assertThat(f.postJson(api + id + "/extend", "{\"by\":\"PT1H\"}").statusCode()).isEqualTo(409);
  }

  @Test
  void aProgressCallbackAfterCompletionIsAnsweredAsALateOneAndReachesNoHandler() {
    start(Scenario.parse("done,status@100ms"), b -> {});
    InvocationResult r = runJob(null);

    awaitStatus(r.invocationId(), InvocationStatus.COMPLETED);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 2);

    assertThat(mock.deliveries()).extracting(Delivery::key).containsExactly("done", "status");
    assertThat(mock.deliveries()).extracting(Delivery::status).containsExactly(200, 409);
    assertThat(handledInOrder()).containsExactly("1");
    assertThat(status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }
}
