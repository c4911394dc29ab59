package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.RequestParts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Progress callbacks (the invocation stays PENDING), one handler run at a time per invocation with
 * the callbacks that waited handed over together, heartbeat keys and deadline extensions.
 */
class ProgressTest {
  static final String JOBS = "Hooks";
  static final String RUN = "runJob";

  /** A job service: status updates (progress), heartbeats, and one final result. */
  static final String SPEC =
      """
      openapi: 3.0.3
      info: {title: Jobs, version: '1'}
      paths:
        /jobs:
          post:
            operationId: runJob
            requestBody:
              required: true
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      hooks: {type: object}
            responses: {'202': {description: accepted}}
            callbacks:
              status:
                x-extsvc-final: false
                '{$request.body#/hooks/status}':
                  post:
                    requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
                    responses: {'200': {description: ok}}
              alive:
                x-extsvc-heartbeat: PT1H
                '{$request.body#/hooks/alive}':
                  post:
                    requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
                    responses: {'200': {description: ok}}
              done:
                '{$request.body#/hooks/done}':
                  post:
                    requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
                    responses: {'200': {description: ok}}
              note:
                '{$request.body#/hooks/note}':
                  post:
                    requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
                    responses: {'200': {description: ok}}
      """;

  RuntimeFixture f;

  @BeforeEach
  void setUp() {
    TestHandler.reset();
    // "note" is made a progress key by configuration, as for a spec the user cannot edit
    f =
        new RuntimeFixture(
                b ->
                    b.maxCallbackTimeout(Duration.ofHours(48))
                        .service(JOBS, s -> s.callbackRole(RUN, "note", CallbackRole.PROGRESS)))
            .register(SPEC, JOBS);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  InvocationResult run(Duration timeout) {
    return f.services.invoke(
        JOBS,
        RUN,
        new RequestParts().body(RuntimeFixture.json("{\"hooks\":{}}")),
        new TestHandler("Ada", "status", "alive", "done", "note"),
        timeout);
  }

  CallbackResponse post(InvocationResult r, String key, String body) {
    return f.post(r.callbackUrls().get(key), body);
  }

  @Test
  void progressCallbacksRunTheHandlerAndLeaveTheInvocationPendingUntilTheFinalOne() {
    InvocationResult r = run(null);
    UUID id = r.invocationId();

    for (int i = 1; i <= 3; i++) {
      assertThat(post(r, "status", "{\"step\":" + i + "}").status()).isEqualTo(200);
      assertThat(f.status(id)).isEqualTo(InvocationStatus.PENDING);
    }
    assertThat(post(r, "note", "{\"text\":\"configured progress\"}").status()).isEqualTo(200);
    assertThat(f.status(id)).isEqualTo(InvocationStatus.PENDING);
    assertThat(post(r, "done", "{\"result\":42}").status()).isEqualTo(200);

    assertThat(f.status(id)).isEqualTo(InvocationStatus.COMPLETED);
    List<String> bodies = new ArrayList<>();
    TestHandler.SEEN.forEach(s -> s.callbacks().forEach(c -> bodies.add(c.body().toString())));
    assertThat(bodies)
        .containsExactly(
            "{\"step\":1}",
            "{\"step\":2}",
            "{\"step\":3}",
            "{\"text\":\"configured progress\"}",
            "{\"result\":42}");
    assertThat(f.kinds(id)).containsOnlyOnce("COMPLETED");
    assertThat(f.messages(id))
        .anyMatch(m -> m.contains("handled status") && m.contains("the invocation stays PENDING"));
  }

  @Test
  void withoutAHandlerAProgressCallbackIsRecordedAndOnlyTheFinalOneCompletes() {
    // As the REST API and the CLI invoke: no handler, the sender waits for the outcome. A final
    // key's callback is recorded and completes in the insert's own write; a progress key's must
    // not.
    InvocationResult r =
        f.services.invoke(
            JOBS, RUN, new RequestParts().body(RuntimeFixture.json("{\"hooks\":{}}")), null, null);
    UUID id = r.invocationId();

    assertThat(post(r, "status", "{\"step\":1}").status()).isEqualTo(200);
    assertThat(post(r, "note", "{\"text\":\"configured progress\"}").status()).isEqualTo(200);
    assertThat(f.status(id)).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.messages(id))
        .anyMatch(m -> m.contains("recorded for the caller") && m.contains("stays PENDING"));
    assertThat(post(r, "done", "{\"result\":1}").status()).isEqualTo(200);

    assertThat(f.status(id)).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(id))
        .extracting(CallbackRow::outcome)
        .containsOnly(CallbackOutcome.HANDLED);
    assertThat(f.kinds(id)).containsOnlyOnce("COMPLETED");
  }

  @Test
  void aProgressCallbackAfterCompletionIsAnsweredAsALateCallback() {
    InvocationResult r = run(null);
    assertThat(post(r, "done", "{\"result\":1}").status()).isEqualTo(200);

    CallbackResponse late = post(r, "status", "{\"step\":9}");

    assertThat(late.status()).isEqualTo(409);
    assertThat(TestHandler.SEEN).hasSize(1);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void callbacksArrivingDuringASlowRunAreHandedOverTogetherInArrivalOrder() throws Exception {
    InvocationResult r = run(null);
    CountDownLatch inFirstRun = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestHandler.during =
        () -> {
          if (TestHandler.RUNS.get() == 1) {
            inFirstRun.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Future<CallbackResponse> first = senders.submit(() -> post(r, "status", "{\"step\":1}"));
      assertThat(inFirstRun.await(5, TimeUnit.SECONDS)).isTrue();
      List<Future<CallbackResponse>> waiting = new ArrayList<>();
      for (int i = 2; i <= 4; i++) {
        String body = "{\"step\":" + i + "}";
        f.clock.advance(Duration.ofMillis(1)); // arrival order is the order of arrival times
        waiting.add(senders.submit(() -> post(r, "status", body)));
        // each stored before the next is sent, so arrival order is known
        int stored = i;
        Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> f.services.callbacks(r.invocationId()).size() == stored);
      }
      release.countDown();

      assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      for (Future<CallbackResponse> w : waiting) {
        CallbackResponse answer = w.get(10, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      }
    } finally {
      senders.shutdownNow();
    }
    assertThat(TestHandler.SEEN).hasSize(2);
    assertThat(TestHandler.SEEN.get(1).callbacks())
        .extracting(c -> c.body().get("step").asInt())
        .containsExactly(2, 3, 4);
    assertThat(f.services.callbacks(r.invocationId()))
        .extracting(CallbackRow::outcome)
        .containsOnly(CallbackOutcome.HANDLED);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void aHeartbeatKeepsTheInvocationAlivePastItsOriginalDeadline() {
    InvocationResult r = run(Duration.ofMinutes(30));
    UUID id = r.invocationId();
    Instant original = f.invocation(id).deadline();

    f.clock.advance(Duration.ofMinutes(20));
    assertThat(post(r, "alive", "{}").status()).isEqualTo(200);
    Instant moved = f.invocation(id).deadline();
    assertThat(moved).isEqualTo(f.clock.instant().plus(Duration.ofHours(1)));

    f.clock.advance(Duration.ofMinutes(40)); // past the original deadline
    f.services.sweepNow();
    assertThat(f.status(id)).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.messages(id))
        .anyMatch(
            m ->
                m.contains("Deadline moved from " + original + " to " + moved)
                    && m.contains("heartbeat callback alive"));

    f.clock.advance(Duration.ofMinutes(30)); // past the moved one
    f.services.sweepNow();
    assertThat(f.status(id)).isEqualTo(InvocationStatus.TIMED_OUT);
  }

  @Test
  void extendMovesTheDeadlineWithinTheMaximumAndRecordsWhy() {
    InvocationResult r = run(Duration.ofHours(1));
    UUID id = r.invocationId();
    Instant before = f.invocation(id).deadline();

    Instant after = f.services.extend(id, Duration.ofHours(2));

    assertThat(after).isEqualTo(before.plus(Duration.ofHours(2)));
    assertThat(f.invocation(id).deadline()).isEqualTo(after);
    assertThat(f.kinds(id)).contains("DEADLINE_EXTENDED");
    assertThat(f.messages(id))
        .anyMatch(m -> m.contains("from " + before + " to " + after) && m.contains("on request"));

    assertThatThrownBy(() -> f.services.extend(id, Duration.ofHours(46)))
        .isInstanceOf(DeadlineExtensionException.class)
        .hasMessageContaining("more than the maximum callback timeout PT48H")
        .extracting(e -> ((DeadlineExtensionException) e).reason())
        .isEqualTo(DeadlineExtensionException.Reason.INVALID);
    assertThatThrownBy(() -> f.services.extend(id, Duration.ZERO))
        .extracting(e -> ((DeadlineExtensionException) e).reason())
        .isEqualTo(DeadlineExtensionException.Reason.INVALID);
    assertThatThrownBy(() -> f.services.extend(UUID.randomUUID(), Duration.ofHours(1)))
        .extracting(e -> ((DeadlineExtensionException) e).reason())
        .isEqualTo(DeadlineExtensionException.Reason.UNKNOWN_INVOCATION);
    f.services.cancel(id, "no longer needed");
    assertThatThrownBy(() -> f.services.extend(id, Duration.ofHours(1)))
        .hasMessageContaining("is CANCELLED")
        .extracting(e -> ((DeadlineExtensionException) e).reason())
        .isEqualTo(DeadlineExtensionException.Reason.FINAL);
  }

  @Test
  void aConfiguredRoleForAKeyTheDocumentLacksIsAWarning() {
    try (RuntimeFixture other =
        new RuntimeFixture(
            b -> b.service(JOBS, s -> s.callbackRole(RUN, "nosuch", CallbackRole.PROGRESS)))) {
      var registration = other.services.register(SPEC, JOBS);
      assertThat(registration.ok()).isTrue();
      assertThat(registration.report().warnings())
          .anyMatch(d -> d.message().contains("key nosuch") && d.message().contains("no effect"));
    }
  }
}
