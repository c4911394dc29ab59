package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.Acknowledgement;
import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost, nothing doubled: durable acknowledgement, slow handlers, concurrent repeats, races,
 * recovery.
 */
class ReliabilityTest {
  static final String APPROVED = CallbackLoopTest.APPROVED;
  static final String BODY = CallbackLoopTest.APPROVED_BODY;

  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void reset() {
    RecordingHandler.reset();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  Fixture start(Consumer<ExternalServices.Builder> customizer) {
    f = new Fixture(dir, customizer).withAcme();
    return f;
  }

  InvocationResult submit(String name, Duration timeout) {
    return f.services.invoke(
        Fixture.ACME,
        "SubmitApplication",
        RequestParts.fromJson(
            Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"" + name + "\"}}}")),
        new RecordingHandler(name, APPROVED),
        timeout);
  }

  CallbackResponse direct(String url, String body) {
    String path = url.substring(url.indexOf("/callbacks/") + "/callbacks/".length());
    return f.services
        .receiver()
        .handle(
            new CallbackRequest(
                "POST",
                path,
                Map.of("Content-Type", List.of("application/json")),
                body.getBytes(StandardCharsets.UTF_8),
                "10.0.0.1"));
  }

  @Test
  void durableModeAnswersAtOnceThenRetriesAFailingHandlerUntilItSucceeds() {
    start(
        b ->
            b.acknowledgement(Fixture.ACME, Acknowledgement.DURABLE)
                .durableRetries(5, Duration.ofMillis(10), Duration.ofMillis(20)));
    InvocationResult r = submit("Jo", null);
    RecordingHandler.FAILURES_LEFT.set(2);

    HttpResponse<String> answer = f.postJson(r.callbackUrls().get(APPROVED), BODY);

    assertThat(answer.statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              f.clock.advance(Duration.ofSeconds(1));
              f.services.processDueCallbacks();
              assertThat(f.services.invocation(r.invocationId()).orElseThrow().status())
                  .isEqualTo(InvocationStatus.COMPLETED);
            });
    assertThat(RecordingHandler.SEEN).hasSize(1);
    CallbackRow row = f.services.callbacks(r.invocationId()).get(0);
    assertThat(row.outcome()).isEqualTo(CallbackOutcome.HANDLED);
    assertThat(row.attempts()).isEqualTo(3);
    assertThat(f.services.events(r.invocationId()))
        .extracting(EventRow::kind)
        .filteredOn(EventKind.HANDLER_FAILED::equals)
        .hasSize(2);
  }

  @Test
  void durableRetriesEndDeadAndAReplayThroughTheApiRunsTheHandlerAgain() {
    start(
        b ->
            b.acknowledgement(Fixture.ACME, "SubmitApplication", Acknowledgement.DURABLE)
                .durableRetries(2, Duration.ofMillis(10), Duration.ofMillis(10)));
    InvocationResult r = submit("Kim", null);
    RecordingHandler.FAILURES_LEFT.set(100);

    assertThat(f.postJson(r.callbackUrls().get(APPROVED), BODY).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              f.clock.advance(Duration.ofSeconds(1));
              f.services.processDueCallbacks();
              assertThat(f.services.callbacks(r.invocationId()).get(0).dead()).isTrue();
            });
    assertThat(f.services.invocation(r.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
    RecordingHandler.FAILURES_LEFT.set(0);
    UUID callbackId = f.services.callbacks(r.invocationId()).get(0).id();

    HttpResponse<String> replay =
        f.postJson(f.server.localUrl() + "/api/callbacks/" + callbackId + "/replay", "");

    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(Json.readTrusted(replay.body()).get("answerCode").asInt()).isEqualTo(200);
    assertThat(f.services.invocation(r.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
    assertThat(RecordingHandler.SEEN).hasSize(1);
    assertThat(
            f.postJson(f.server.localUrl() + "/api/callbacks/" + callbackId + "/replay", "")
                .statusCode())
        .as("a handled callback is not replayed")
        .isEqualTo(409);
    assertThat(
            f.postJson(f.server.localUrl() + "/api/callbacks/" + UUID.randomUUID() + "/replay", "")
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void aDurableCallbackAcceptedInTimeIsNeverTimedOutWhileItsRetriesAreDue() {
    start(
        b ->
            b.acknowledgement(Fixture.ACME, Acknowledgement.DURABLE)
                .durableRetries(5, Duration.ofMinutes(5), Duration.ofMinutes(5)));
    InvocationResult r = submit("Ray", Duration.ofMinutes(1));
    RecordingHandler.FAILURES_LEFT.set(1);

    assertThat(f.postJson(r.callbackUrls().get(APPROVED), BODY).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.services.callbacks(r.invocationId()).get(0).nextAttemptAt() != null);
    f.clock.advance(Duration.ofMinutes(2));

    assertThat(f.services.sweepNow()).isZero();
    f.clock.advance(Duration.ofMinutes(4));
    f.services.processDueCallbacks();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                f.services.invocation(r.invocationId()).orElseThrow().status()
                    == InvocationStatus.COMPLETED);
    assertThat(RecordingHandler.SEEN).hasSize(1);
  }

  @Test
  void aSlowSynchronousHandlerReleasesItsSenderWith202AndFinishesInTheBackground() {
    start(b -> b.handlerTimeout(Duration.ofMillis(200)));
    InvocationResult r = submit("Lee", null);
    CountDownLatch release = new CountDownLatch(1);
    RecordingHandler.DURING =
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };

    HttpResponse<String> answer = f.postJson(r.callbackUrls().get(APPROVED), BODY);

    assertThat(answer.statusCode()).isEqualTo(202);
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                f.services.invocation(r.invocationId()).orElseThrow().status()
                    == InvocationStatus.COMPLETED);
    assertThat(RecordingHandler.SEEN).hasSize(1);
    assertThat(f.services.events(r.invocationId()))
        .extracting(EventRow::kind)
        .contains(EventKind.HANDLER_SLOW);
  }

  @Test
  void aHundredConcurrentIdenticalCallbacksRunTheHandlerOnceAndAllGetTheFirstAnswer()
      throws Exception {
    start(b -> {});
    InvocationResult r = submit("Max", null);
    String url = r.callbackUrls().get(APPROVED);
    RecordingHandler.DURING = () -> sleep(50);
    CountDownLatch gate = new CountDownLatch(1);
    List<Future<CallbackResponse>> answers = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 100; i++) {
        answers.add(
            pool.submit(
                () -> {
                  gate.await();
                  return direct(url, BODY);
                }));
      }
      gate.countDown();
      for (Future<CallbackResponse> a : answers) {
        assertThat(a.get().status()).isEqualTo(200);
      }
    }
    assertThat(RecordingHandler.SEEN).hasSize(1);
    assertThat(f.services.callbacks(r.invocationId())).hasSize(1);
  }

  @Test
  void aCallbackAtTheDeadlineInstantEndsInExactlyOneFinalState() throws Exception {
    start(b -> {});
    int completed = 0;
    int timedOut = 0;
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 1000; i++) {
        InvocationResult r = submit("Race" + i, Duration.ofMillis(1));
        CountDownLatch gate = new CountDownLatch(1);
        Future<CallbackResponse> callback =
            pool.submit(
                () -> {
                  gate.await();
                  return direct(r.callbackUrls().get(APPROVED), BODY);
                });
        Future<Integer> sweep =
            pool.submit(
                () -> {
                  gate.await();
                  f.clock.advance(Duration.ofMillis(1));
                  return f.services.sweepNow();
                });
        gate.countDown();
        int status = callback.get().status();
        sweep.get();
        f.services.sweepNow();
        var inv = f.services.invocation(r.invocationId()).orElseThrow();
        List<EventKind> finals =
            f.services.events(r.invocationId()).stream()
                .map(EventRow::kind)
                .filter(k -> k == EventKind.COMPLETED || k == EventKind.TIMED_OUT)
                .toList();
        assertThat(finals).as("iteration %d", i).hasSize(1);
        if (status >= 200 && status < 300) {
          assertThat(inv.status())
              .as("iteration %d: answered %d", i, status)
              .isEqualTo(InvocationStatus.COMPLETED);
          completed++;
        } else {
          assertThat(status)
              .as("iteration %d: %s", i, f.services.events(r.invocationId()))
              .isEqualTo(408);
          assertThat(inv.status()).isEqualTo(InvocationStatus.TIMED_OUT);
          timedOut++;
        }
      }
    }
    assertThat(completed + timedOut).isEqualTo(1000);
    assertThat(RecordingHandler.SEEN).hasSize(completed);
  }

  @Test
  void aCallbackStoredButNeverHandledIsHandledOnceAfterARestart() {
    start(b -> {});
    InvocationResult r = submit("Nia", null);
    // As if the process died right after the commit, before the handler ran.
    String token =
        r.callbackUrls()
            .get(APPROVED)
            .substring(r.callbackUrls().get(APPROVED).lastIndexOf('/') + 1);
    f.store.insertCallback(
        new CallbackRow(
            UUID.randomUUID(),
            r.invocationId(),
            APPROVED,
            f.clock.instant(),
            "POST",
            "{}",
            BODY,
            "crash-" + token.length(),
            CallbackOutcome.RECEIVED,
            null,
            0,
            null),
        new dev.extsvc.runtime.store.NewEvent(
            r.invocationId(), f.clock.instant(), EventKind.CALLBACK_RECEIVED, "stored"));
    f.close();

    f = new Fixture(dir, b -> {});
    f.clock.advance(Duration.ofMinutes(1));
    f.services.processDueCallbacks();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                f.services.invocation(r.invocationId()).orElseThrow().status()
                    == InvocationStatus.COMPLETED);
    assertThat(RecordingHandler.SEEN).hasSize(1);
    assertThat(f.services.events(r.invocationId()))
        .extracting(EventRow::kind)
        .contains(EventKind.CALLBACK_RECOVERED);
    f.services.processDueCallbacks();
    assertThat(RecordingHandler.SEEN).hasSize(1);
  }

  @Test
  void aCallbackWhoseRecoveryFailedWhileTheStoreWasDownIsHandledOnceItIsBackWithoutARestart() {
    JdbcStore jdbc = JdbcStore.sqlite(dir.resolve("extsvc.db"));
    AtomicBoolean down = new AtomicBoolean();
    AtomicInteger refused = new AtomicInteger();
    // Only event appends fail: the recovery poll reads its due callbacks, then cannot write its
    // first event.
    Store flaky =
        (Store)
            Proxy.newProxyInstance(
                Store.class.getClassLoader(),
                new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                  if (down.get() && method.getName().equals("appendEvent")) {
                    refused.incrementAndGet();
                    throw new StoreUnavailableException(
                        "the store is down", new java.io.IOException("down"));
                  }
                  try {
                    return method.invoke(jdbc, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    f = new Fixture(dir, jdbc, b -> b.store(flaky)).withAcme();
    InvocationResult r = submit("Uma", null);
    jdbc.insertCallback(
        new CallbackRow(
            UUID.randomUUID(),
            r.invocationId(),
            APPROVED,
            f.clock.instant(),
            "POST",
            "{}",
            BODY,
            "unfinished",
            CallbackOutcome.RECEIVED,
            null,
            0,
            null),
        new dev.extsvc.runtime.store.NewEvent(
            r.invocationId(), f.clock.instant(), EventKind.CALLBACK_RECEIVED, "stored"));
    f.clock.advance(Duration.ofMinutes(1));
    down.set(true);

    f.services.processDueCallbacks();
    await().atMost(Duration.ofSeconds(10)).until(() -> refused.get() > 0);
    down.set(false);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              f.services.processDueCallbacks();
              assertThat(f.services.invocation(r.invocationId()).orElseThrow().status())
                  .isEqualTo(InvocationStatus.COMPLETED);
            });
    assertThat(RecordingHandler.SEEN).hasSize(1);
  }

  @Test
  void aGracefulShutdownRefusesNewCallbacksAndLetsRunningHandlersFinish() throws Exception {
    start(b -> {});
    InvocationResult first = submit("Oli", null);
    InvocationResult second = submit("Pat", null);
    CountDownLatch inHandler = new CountDownLatch(1);
    RecordingHandler.DURING =
        () -> {
          inHandler.countDown();
          sleep(500);
        };
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<CallbackResponse> running =
          pool.submit(() -> direct(first.callbackUrls().get(APPROVED), BODY));
      inHandler.await();
      Future<?> closing = pool.submit(() -> f.services.close());
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> direct(second.callbackUrls().get(APPROVED), BODY).status() == 503);

      assertThat(running.get().status()).isEqualTo(200);
      closing.get();
    }
    assertThat(f.store.invocation(first.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.store.invocation(second.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void aClientGuessingTokensIsSlowedDownWith429() {
    start(b -> b.unknownTokenLimit(5));
    String base = f.services.publicBaseUrl() + "/callbacks/";
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      statuses.add(direct(base + "A".repeat(42) + i, BODY).status());
    }

    assertThat(statuses.subList(0, 5)).containsOnly(404);
    assertThat(statuses.subList(5, 8)).containsOnly(429);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
