package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED_BODY;
import static dev.extsvc.runtime.RuntimeFixture.REJECTED;
import static dev.extsvc.runtime.RuntimeFixture.REJECTED_BODY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.testing.SettableClock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What happens once a callback is stored: its handler is re-created from the store and run under a
 * lease, and its outcome decides the answer (200, 404, 500; 202 when slow) and the invocation's
 * state.
 */
class ProcessingTest {
  RuntimeFixture f;

  @BeforeEach
  void start() {
    TestHandler.reset();
    f = new RuntimeFixture().withAcme();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void aKeyTheHandlerDoesNotHandleIsAnswered404NamingTheKeyAndLeavesTheInvocationPending() {
    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));

    CallbackResponse answer = f.post(r.callbackUrls().get(REJECTED), REJECTED_BODY);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body()).contains("Callback not handled: " + REJECTED);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(r.invocationId()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.NOT_HANDLED);
              assertThat(c.answerCode()).isEqualTo(404);
            });
    assertThat(f.kinds(r.invocationId())).endsWith("CALLBACK_RECEIVED", "HANDLER_NOT_HANDLED");
  }

  @Test
  void afterANotHandledKeyTheInvocationCanStillComplete() {
    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));
    f.post(r.callbackUrls().get(REJECTED), REJECTED_BODY);

    assertThat(f.approve(r).status()).isEqualTo(200);

    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(TestHandler.SEEN).extracting(TestHandler.Seen::key).containsExactly(APPROVED);
  }

  @Test
  void aThrowingHandlerIsAnswered500WithoutItsMessageAndTheInvocationStaysPending() {
    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));
    TestHandler.FAILURES_LEFT.set(1);

    CallbackResponse answer = f.approve(r);

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).contains("Callback handler failed").doesNotContain("ledger");
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(r.invocationId()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.FAILED);
              assertThat(c.answerCode()).isEqualTo(500);
              assertThat(c.error())
                  .contains("IllegalStateException")
                  .contains("ledger database is down");
              assertThat(c.nextAttemptAt()).as("the sender retries, not the runtime").isNull();
            });
    assertThat(f.kinds(r.invocationId())).last().isEqualTo("HANDLER_FAILED");
  }

  @Test
  void theSendersRetryOfAFailedCallbackRunsTheHandlerAgainAndCompletes() {
    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));
    TestHandler.FAILURES_LEFT.set(1);
    assertThat(f.approve(r).status()).isEqualTo(500);

    CallbackResponse retry = f.approve(r);

    assertThat(retry.status()).isEqualTo(200);
    assertThat(TestHandler.RUNS).hasValue(2);
    assertThat(TestHandler.SEEN).hasSize(1);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(r.invocationId()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.HANDLED);
              assertThat(c.attempts()).isEqualTo(2);
              assertThat(c.error()).isNull();
            });
    assertThat(f.kinds(r.invocationId()))
        .containsSubsequence(
            "CALLBACK_RECEIVED", "HANDLER_FAILED", "CALLBACK_RETRY", "HANDLER_OK", "COMPLETED");
  }

  @Test
  void theHandlerIsReCreatedFromItsStoredStateInANewRuntimeOnTheSameStore() {
    InvocationResult r =
        f.services.invoke(
            RuntimeFixture.ACME,
            RuntimeFixture.SUBMIT,
            RuntimeFixture.application("Bea"),
            new TestHandler("Bea", APPROVED),
            null);
    assertThat(f.invocation(r.invocationId()).handlerType()).isEqualTo(TestHandler.class.getName());
    assertThat(f.invocation(r.invocationId()).handlerState()).contains("Bea");
    TestHandler.CREATED.set(0);

    f.restart(b -> {}); // no register(): the service comes back from the store
    CallbackResponse answer = f.approve(r);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(TestHandler.CREATED).as("re-created for the callback").hasValue(1);
    assertThat(TestHandler.SEEN)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.applicant()).isEqualTo("Bea");
              assertThat(s.only().request().body().at("/applicant/name").asText()).isEqualTo("Bea");
            });
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void aStoredHandlerTypeThatIsNotAllowedIsNeverInstantiated() {
    InvocationResult r = f.submit(new TestHandler("Eve", APPROVED));
    TestHandler.CREATED.set(0);
    // Another process on the same data that allows no handler types.
    ExternalServices strict =
        ExternalServices.builder()
            .store(f.store.reopen())
            .publicBaseUrl(RuntimeFixture.BASE_URL)
            .clock(f.clock)
            .startSweeper(false)
            .build();
    try {
      CallbackResponse answer =
          strict
              .receiver()
              .handle(
                  dev.extsvc.runtime.testing.Callbacks.post(
                      r.callbackUrls().get(APPROVED), APPROVED_BODY));

      assertThat(answer.status()).isEqualTo(500);
      assertThat(TestHandler.CREATED).hasValue(0);
      assertThat(TestHandler.RUNS).hasValue(0);
      assertThat(strict.callbacks(r.invocationId()))
          .singleElement()
          .satisfies(c -> assertThat(c.error()).contains("not allowed"));
      assertThat(strict.invocation(r.invocationId()).orElseThrow().status())
          .isEqualTo(InvocationStatus.PENDING);
    } finally {
      strict.close();
    }
  }

  @Test
  void aHandlerFactoryReCreatesHandlersWithTheirStoredState() {
    List<String> asked = new CopyOnWriteArrayList<>();
    f.close();
    f =
        new RuntimeFixture(
                b ->
                    b.handlerFactory(
                        (type, state) -> {
                          asked.add(type.getSimpleName() + " " + state);
                          return HandlerFactory.restoreState(
                              new TestHandler("from the factory", "none"), state);
                        }))
            .withAcme();
    InvocationResult r = f.submit(new TestHandler("Cy", APPROVED));

    assertThat(f.approve(r).status()).isEqualTo(200);

    assertThat(asked)
        .singleElement()
        .asString()
        .startsWith("TestHandler {")
        .contains("\"applicant\":\"Cy\"");
    assertThat(TestHandler.SEEN)
        .singleElement()
        .satisfies(s -> assertThat(s.applicant()).isEqualTo("Cy"));
  }

  @Test
  void theHandlerTransactionRunsTheHandlerThenTheCompletionAndSeesTheCall() {
    List<String> steps = new CopyOnWriteArrayList<>();
    AtomicReference<HandlerTransaction.HandlerCall> seenCall = new AtomicReference<>();
    AtomicReference<InvocationStatus> betweenSteps = new AtomicReference<>();
    AtomicReference<UUID> id = new AtomicReference<>();
    f.close();
    f =
        new RuntimeFixture(
                b ->
                    b.handlerTransaction(
                        (call, handler, completion) -> {
                          seenCall.set(call);
                          steps.add("begin");
                          handler.run();
                          steps.add("handler ran: " + TestHandler.SEEN.size());
                          betweenSteps.set(f.store.invocation(id.get()).orElseThrow().status());
                          completion.run();
                          steps.add(
                              "completed: " + f.store.invocation(id.get()).orElseThrow().status());
                        }))
            .withAcme();
    InvocationResult r = f.submit(new TestHandler("Di", APPROVED));
    id.set(r.invocationId());
    f.clock.advance(Duration.ofMinutes(3));

    assertThat(f.approve(r).status()).isEqualTo(200);

    assertThat(steps).containsExactly("begin", "handler ran: 1", "completed: COMPLETED");
    assertThat(betweenSteps.get()).isEqualTo(InvocationStatus.PENDING);
    HandlerTransaction.HandlerCall call = seenCall.get();
    assertThat(call.invocationId()).isEqualTo(r.invocationId());
    assertThat(call.service()).isEqualTo(RuntimeFixture.ACME);
    assertThat(call.operation()).isEqualTo(RuntimeFixture.SUBMIT);
    assertThat(call.key()).isEqualTo(APPROVED);
    assertThat(call.handlerType()).isEqualTo(TestHandler.class.getName());
    assertThat(call.receivedAt()).isEqualTo(call.submittedAt().plus(Duration.ofMinutes(3)));
  }

  @Test
  void aHandlerFailureInsideTheTransactionSkipsTheCompletionAndIsAnswered500() {
    List<String> steps = new CopyOnWriteArrayList<>();
    f.close();
    f =
        new RuntimeFixture(
                b ->
                    b.handlerTransaction(
                        (call, handler, completion) -> {
                          try {
                            handler.run();
                            completion.run();
                            steps.add("commit");
                          } catch (Exception e) {
                            steps.add("rollback");
                            throw e;
                          }
                        }))
            .withAcme();
    InvocationResult r = f.submit(new TestHandler("Ed", APPROVED));
    TestHandler.FAILURES_LEFT.set(1);

    assertThat(f.approve(r).status()).isEqualTo(500);
    assertThat(f.approve(r).status()).isEqualTo(200);

    assertThat(steps).containsExactly("rollback", "commit");
  }

  /** A runtime whose handler transaction fails to commit while {@code commitFails} is set. */
  RuntimeFixture commitFailing(java.util.concurrent.atomic.AtomicBoolean commitFails) {
    return new RuntimeFixture(
            b ->
                b.handlerTimeout(Duration.ofMillis(300))
                    .handlerTransaction(
                        (call, handler, completion) -> {
                          handler.run();
                          if (commitFails.get()) {
                            throw new java.sql.SQLException("commit failed: connection reset");
                          }
                          completion.run();
                        }))
        .withAcme();
  }

  @Test
  void aCompletionThatCannotCommitIsAnswered503AndTheCallbackIsRecoveredLater() {
    java.util.concurrent.atomic.AtomicBoolean commitFails =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    f.close();
    f = commitFailing(commitFails);
    InvocationResult r = f.submit(new TestHandler("Flo", APPROVED));

    CallbackResponse first = f.approve(r);

    assertThat(first.status()).isEqualTo(503);
    assertThat(first.headers()).containsKey("Retry-After");
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(r.invocationId()))
        .singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo(CallbackOutcome.RECEIVED));
    commitFails.set(false);
    f.clock.advance(ExternalServices.DEFAULT_RECOVERY_GRACE.plusSeconds(1));
    assertThat(f.services.processDueCallbacks()).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.COMPLETED);
    assertThat(TestHandler.RUNS)
        .as("at least once: the first run's effect was not committed")
        .hasValue(2);
  }

  @Test
  void theSendersRetryAfterAFailedCompletionRunsTheHandlerAgain() {
    java.util.concurrent.atomic.AtomicBoolean commitFails =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    f.close();
    f = commitFailing(commitFails);
    InvocationResult r = f.submit(new TestHandler("Flo", APPROVED));
    assertThat(f.approve(r).status()).isEqualTo(503);
    commitFails.set(false);

    CallbackResponse retry = f.approve(r);

    assertThat(retry.status()).isEqualTo(200);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void everyStepOfAHandledCallbackIsInTheDebugLogInOrder() {
    InvocationResult r = f.submit(new TestHandler("Gus", APPROVED));

    f.approve(r);

    assertThat(f.kinds(r.invocationId()))
        .containsExactly(
            "SUBMITTED",
            "CALLBACK_URL",
            "CALLBACK_URL",
            "CALLBACK_URL",
            "CALLOUT",
            "CALLBACK_RECEIVED",
            "HANDLER_OK",
            "COMPLETED");
    assertThat(f.messages(r.invocationId()))
        .anyMatch(
            m -> m.contains("Handler " + TestHandler.class.getName() + " handled " + APPROVED))
        .anyMatch(m -> m.equals("Completed by callback " + APPROVED));
  }

  @Test
  void aSlowSynchronousHandlerReleasesItsSenderWith202AndFinishesInTheBackground()
      throws Exception {
    f.close();
    f = new RuntimeFixture(b -> b.handlerTimeout(Duration.ofMillis(100))).withAcme();
    InvocationResult r = f.submit(new TestHandler("Hal", APPROVED));
    CountDownLatch release = new CountDownLatch(1);
    TestHandler.during = () -> awaitQuietly(release);

    CallbackResponse answer = f.approve(r);

    assertThat(answer.status()).isEqualTo(202);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.kinds(r.invocationId())).contains("HANDLER_SLOW");
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.COMPLETED);
    assertThat(TestHandler.SEEN).hasSize(1);
  }

  @Test
  void aSlowHandlerThatThenFailsIsRetriedByTheRuntimeSinceItsSenderWasReleased() {
    f.close();
    f =
        new RuntimeFixture(
                b ->
                    b.handlerTimeout(Duration.ofMillis(100))
                        .durableRetries(3, Duration.ofSeconds(10), Duration.ofSeconds(10)))
            .withAcme();
    InvocationResult r = f.submit(new TestHandler("Ida", APPROVED));
    CountDownLatch release = new CountDownLatch(1);
    TestHandler.during = () -> awaitQuietly(release);
    TestHandler.FAILURES_LEFT.set(1);

    assertThat(f.approve(r).status()).isEqualTo(202);
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.services.callbacks(r.invocationId()).getFirst().nextAttemptAt() != null);
    TestHandler.during = () -> {};
    f.clock.advance(Duration.ofSeconds(10));
    assertThat(f.services.processDueCallbacks()).isEqualTo(1);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.COMPLETED);
    assertThat(TestHandler.RUNS).hasValue(2);
  }

  @Test
  void aCallbackStoredButNeverProcessedIsRecoveredOnceAfterItsGrace() {
    InvocationResult r = f.submit(new TestHandler("Jo", APPROVED));
    // As if the process died between storing the callback and running its handler.
    f.store.insertCallback(
        new CallbackRow(
            UUID.randomUUID(),
            r.invocationId(),
            APPROVED,
            f.clock.instant(),
            "POST",
            "{\"content-type\":\"application/json\"}",
            APPROVED_BODY,
            "crashed",
            CallbackOutcome.RECEIVED,
            null,
            0,
            null),
        new NewEvent(r.invocationId(), f.clock.instant(), EventKind.CALLBACK_RECEIVED, "stored"));
    f.restart(b -> {});

    f.clock.advance(ExternalServices.DEFAULT_RECOVERY_GRACE.minusSeconds(1));
    assertThat(f.services.processDueCallbacks()).as("still within the grace").isZero();
    f.clock.advance(Duration.ofSeconds(2));
    assertThat(f.services.processDueCallbacks()).isEqualTo(1);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.COMPLETED);
    assertThat(TestHandler.SEEN)
        .singleElement()
        .satisfies(s -> assertThat(s.applicant()).isEqualTo("Jo"));
    assertThat(f.kinds(r.invocationId())).contains("CALLBACK_RECOVERED");
    assertThat(f.services.processDueCallbacks()).isZero();
    assertThat(TestHandler.RUNS).hasValue(1);
  }

  @Test
  void aCustomRecoveryGraceIsHonoured() {
    f.close();
    f = new RuntimeFixture(b -> b.recoveryGrace(Duration.ofMinutes(5))).withAcme();
    InvocationResult r = f.submit(new TestHandler("Kai", APPROVED));
    f.store.insertCallback(
        new CallbackRow(
            UUID.randomUUID(),
            r.invocationId(),
            APPROVED,
            f.clock.instant(),
            "POST",
            "{}",
            APPROVED_BODY,
            "crashed",
            CallbackOutcome.RECEIVED,
            null,
            0,
            null),
        new NewEvent(r.invocationId(), f.clock.instant(), EventKind.CALLBACK_RECEIVED, "stored"));

    f.clock.advance(Duration.ofMinutes(4));
    assertThat(f.services.processDueCallbacks()).isZero();
    f.clock.advance(Duration.ofMinutes(2));
    assertThat(f.services.processDueCallbacks()).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.COMPLETED);
  }

  @Test
  void aCallbackRacingItsDeadlineEndsInExactlyOneFinalState() throws Exception {
    int completed = 0;
    int timedOut = 0;
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 200; i++) {
        InvocationResult r = f.submit(new TestHandler("Race" + i, APPROVED), Duration.ofMillis(1));
        CountDownLatch gate = new CountDownLatch(1);
        var callback =
            pool.submit(
                () -> {
                  gate.await();
                  return f.approve(r);
                });
        var sweep =
            pool.submit(
                () -> {
                  gate.await();
                  f.clock.advance(Duration.ofMillis(1));
                  return f.services.sweepNow();
                });
        gate.countDown();
        int status = callback.get(10, TimeUnit.SECONDS).status();
        sweep.get(10, TimeUnit.SECONDS);
        f.services.sweepNow();
        List<String> finals =
            f.kinds(r.invocationId()).stream()
                .filter(k -> k.equals("COMPLETED") || k.equals("TIMED_OUT"))
                .toList();
        assertThat(finals).as("iteration %d", i).hasSize(1);
        InvocationStatus end = f.status(r.invocationId());
        if (status == 200) {
          assertThat(end).as("iteration %d", i).isEqualTo(InvocationStatus.COMPLETED);
          completed++;
        } else {
          assertThat(status).as("iteration %d: %s", i, f.kinds(r.invocationId())).isEqualTo(408);
          assertThat(end).isEqualTo(InvocationStatus.TIMED_OUT);
          timedOut++;
        }
      }
    }
    assertThat(completed + timedOut).isEqualTo(200);
    assertThat(TestHandler.SEEN).hasSize(completed);
    // The sweeper tells a handler once, and only of an invocation it timed out.
    assertThat(TestHandler.TIMED_OUT)
        .extracting(TimedOutInvocation::invocationId)
        .doesNotHaveDuplicates()
        .allSatisfy(id -> assertThat(f.status(id)).isEqualTo(InvocationStatus.TIMED_OUT));
  }

  @Test
  void twoCallbacksOfOneInvocationNeverRunTheirHandlersAtOnce() throws Exception {
    InvocationResult r = f.submit(new TestHandler("Lou", APPROVED, REJECTED));
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestHandler.during =
        () -> {
          inside.countDown();
          awaitQuietly(release);
        };
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      var first = pool.submit(() -> f.approve(r));
      assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

      CallbackResponse second = f.post(r.callbackUrls().get(REJECTED), REJECTED_BODY);

      assertThat(second.status()).as("the first holds the lease").isEqualTo(503);
      assertThat(second.headers()).containsKey("Retry-After");
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(TestHandler.SEEN).extracting(TestHandler.Seen::key).containsExactly(APPROVED);
    // The refused callback stays stored; the recovery poll settles it as too late for the completed
    // invocation.
    f.clock.advance(ExternalServices.DEFAULT_RECOVERY_GRACE.plusSeconds(1));
    assertThat(f.services.processDueCallbacks()).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(f.services.callbacks(r.invocationId()))
                    .extracting(c -> c.key() + ":" + c.outcome())
                    .containsExactlyInAnyOrder(APPROVED + ":HANDLED", REJECTED + ":NOT_HANDLED"));
    assertThat(TestHandler.RUNS).hasValue(1);
  }

  @Test
  void theClockOfTheRuntimeStampsCallbacksAndEvents() {
    SettableClock clock = f.clock;
    InvocationResult r = f.submit(new TestHandler("Mo", APPROVED));
    var later = clock.advance(Duration.ofMinutes(42));

    f.approve(r);

    assertThat(f.services.callbacks(r.invocationId()).getFirst().receivedAt()).isEqualTo(later);
    assertThat(f.invocation(r.invocationId()).finishedAt()).isEqualTo(later);
    assertThat(f.services.events(r.invocationId()).getLast().at()).isEqualTo(later);
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the handler");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
