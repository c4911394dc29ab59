package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.ACME;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DURABLE acknowledgement: the sender gets 200 once the callback is committed; the handler runs
 * from the store, failures are retried with exponential backoff on the runtime's clock, then the
 * callback is dead until replayed.
 */
class DurableTest {
  RuntimeFixture f;

  @BeforeEach
  void reset() {
    TestHandler.reset();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  RuntimeFixture durable(Consumer<ExternalServices.Builder> more) {
    f =
        new RuntimeFixture(b -> more.accept(b.acknowledgement(ACME, Acknowledgement.DURABLE)))
            .withAcme();
    return f;
  }

  CallbackRow callbackOf(InvocationResult r) {
    return f.services.callbacks(r.invocationId()).getFirst();
  }

  /**
   * Waits until the background run of the callback has recorded a failure with this many attempts.
   */
  CallbackRow awaitAttempts(InvocationResult r, int attempts) {
    await().atMost(Duration.ofSeconds(10)).until(() -> callbackOf(r).attempts() == attempts);
    return callbackOf(r);
  }

  @Test
  void theSenderIsAnswered200AtOnceAndTheHandlerRunsFromTheStore() {
    durable(b -> {});
    InvocationResult r = f.submit(new TestHandler("Ann", APPROVED));

    CallbackResponse answer = f.approve(r);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).contains("Callback stored");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.COMPLETED);
    assertThat(TestHandler.SEEN)
        .singleElement()
        .satisfies(s -> assertThat(s.applicant()).isEqualTo("Ann"));
  }

  @Test
  void aFailingHandlerIsRetriedWithExponentialBackoffUntilItSucceeds() {
    durable(b -> b.durableRetries(5, Duration.ofSeconds(10), Duration.ofMinutes(10)));
    InvocationResult r = f.submit(new TestHandler("Ben", APPROVED));
    TestHandler.FAILURES_LEFT.set(2);

    assertThat(f.approve(r).status()).isEqualTo(200);
    CallbackRow first = awaitAttempts(r, 1);
    Instant failedAt = f.clock.instant();
    assertThat(first.outcome()).isEqualTo(CallbackOutcome.FAILED);
    // Attempt 1 waits the first delay with jitter: between half of it and all of it.
    assertThat(first.nextAttemptAt()).isBetween(failedAt.plusSeconds(5), failedAt.plusSeconds(10));
    assertThat(f.services.processDueCallbacks()).as("not due yet").isZero();

    f.clock.set(first.nextAttemptAt());
    assertThat(f.services.processDueCallbacks()).isEqualTo(1);
    CallbackRow second = awaitAttempts(r, 2);
    Instant secondFailedAt = f.clock.instant();
    assertThat(second.nextAttemptAt())
        .as("twice the delay")
        .isBetween(secondFailedAt.plusSeconds(10), secondFailedAt.plusSeconds(20));

    f.clock.set(second.nextAttemptAt());
    assertThat(f.services.processDueCallbacks()).isEqualTo(1);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.COMPLETED);
    CallbackRow handled = callbackOf(r);
    assertThat(handled.outcome()).isEqualTo(CallbackOutcome.HANDLED);
    assertThat(handled.attempts()).isEqualTo(3);
    assertThat(handled.nextAttemptAt()).isNull();
    assertThat(TestHandler.RUNS).hasValue(3);
    assertThat(f.kinds(r.invocationId())).filteredOn("HANDLER_FAILED"::equals).hasSize(2);
  }

  @Test
  void theDelayNeverExceedsTheLongestDelay() {
    durable(b -> b.durableRetries(10, Duration.ofSeconds(10), Duration.ofSeconds(15)));
    InvocationResult r = f.submit(new TestHandler("Cal", APPROVED));
    TestHandler.FAILURES_LEFT.set(100);
    f.approve(r);

    for (int attempt = 1; attempt <= 4; attempt++) {
      CallbackRow failed = awaitAttempts(r, attempt);
      assertThat(Duration.between(f.clock.instant(), failed.nextAttemptAt()))
          .as("attempt %d", attempt)
          .isLessThanOrEqualTo(Duration.ofSeconds(15));
      f.clock.set(failed.nextAttemptAt());
      assertThat(f.services.processDueCallbacks()).isEqualTo(1);
    }
  }

  @Test
  void afterTheLastAttemptTheCallbackIsDeadAndNoLongerRetried() {
    durable(b -> b.durableRetries(2, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    InvocationResult r = f.submit(new TestHandler("Dee", APPROVED));
    TestHandler.FAILURES_LEFT.set(100);
    f.approve(r);
    CallbackRow first = awaitAttempts(r, 1);
    f.clock.set(first.nextAttemptAt());
    f.services.processDueCallbacks();

    CallbackRow dead = awaitAttempts(r, 2);

    assertThat(dead.dead()).isTrue();
    assertThat(dead.deadAt()).isEqualTo(f.clock.instant());
    assertThat(dead.nextAttemptAt()).isNull();
    assertThat(f.kinds(r.invocationId())).last().isEqualTo("CALLBACK_DEAD");
    assertThat(f.messages(r.invocationId()).getLast())
        .contains("attempt 2 of 2")
        .contains("replay");
    f.clock.advance(Duration.ofHours(1));
    assertThat(f.services.processDueCallbacks()).isZero();
    assertThat(TestHandler.RUNS).hasValue(2);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void aReplayOfADeadCallbackRunsItsHandlerNowAndCompletesTheInvocation() {
    durable(b -> b.durableRetries(1, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    InvocationResult r = f.submit(new TestHandler("Eli", APPROVED));
    TestHandler.FAILURES_LEFT.set(1);
    f.approve(r);
    CallbackRow dead = awaitAttempts(r, 1);
    assertThat(dead.dead()).isTrue();

    CallbackResponse replay = f.services.replay(dead.id());

    assertThat(replay.status()).isEqualTo(200);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(callbackOf(r))
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.HANDLED);
              assertThat(c.dead()).isFalse();
              assertThat(c.attempts()).isEqualTo(2);
            });
    assertThat(f.kinds(r.invocationId()))
        .containsSubsequence("CALLBACK_DEAD", "CALLBACK_RETRY", "HANDLER_OK", "COMPLETED");
    assertThat(f.services.replay(dead.id()).status()).as("handled now").isEqualTo(409);
  }

  @Test
  void aReplayThatFailsAgainLeavesTheCallbackFailedAndTheInvocationPending() {
    durable(b -> b.durableRetries(1, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    InvocationResult r = f.submit(new TestHandler("Fay", APPROVED));
    TestHandler.FAILURES_LEFT.set(2);
    f.approve(r);
    CallbackRow dead = awaitAttempts(r, 1);

    assertThat(f.services.replay(dead.id()).status()).isEqualTo(500);

    assertThat(callbackOf(r).outcome()).isEqualTo(CallbackOutcome.FAILED);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void replayRefusesUnknownReceivedAndHandledCallbacks() {
    f = new RuntimeFixture().withAcme();
    InvocationResult r = f.submit(new TestHandler("Gil", APPROVED));
    f.approve(r);

    assertThat(f.services.replay(UUID.randomUUID()).status()).isEqualTo(404);
    assertThat(f.services.replay(callbackOf(r).id()).status()).isEqualTo(409);
    assertThat(f.services.replay(callbackOf(r).id()).body()).contains("HANDLED");
    assertThat(TestHandler.RUNS).hasValue(1);
  }

  @Test
  void aRepeatOfAStoredDurableCallbackIsAnswered200WithoutASecondRun() {
    durable(b -> b.durableRetries(3, Duration.ofMinutes(1), Duration.ofMinutes(1)));
    InvocationResult r = f.submit(new TestHandler("Hep", APPROVED));
    TestHandler.FAILURES_LEFT.set(1);
    f.approve(r);
    awaitAttempts(r, 1);

    CallbackResponse repeat = f.approve(r);

    assertThat(repeat.status()).isEqualTo(200);
    assertThat(TestHandler.RUNS).as("the retry waits for its time").hasValue(1);
    assertThat(f.services.callbacks(r.invocationId())).hasSize(1);
  }

  @Test
  void aDurableCallbackAcceptedInTimeIsNotTimedOutWhileItsRetryIsDue() {
    durable(b -> b.durableRetries(5, Duration.ofMinutes(5), Duration.ofMinutes(5)));
    InvocationResult r = f.submit(new TestHandler("Ivy", APPROVED), Duration.ofMinutes(1));
    TestHandler.FAILURES_LEFT.set(1);
    f.approve(r);
    CallbackRow failed = awaitAttempts(r, 1);

    f.clock.advance(Duration.ofMinutes(2));
    assertThat(f.services.sweepNow()).isZero();
    f.clock.set(failed.nextAttemptAt());
    assertThat(f.services.processDueCallbacks()).isEqualTo(1);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.COMPLETED);
    assertThat(TestHandler.SEEN).hasSize(1);
  }

  @Test
  void onceDeadTheCallbackNoLongerHoldsOffTheTimeout() {
    durable(b -> b.durableRetries(1, Duration.ofMinutes(5), Duration.ofMinutes(5)));
    InvocationResult r = f.submit(new TestHandler("Jay", APPROVED), Duration.ofMinutes(1));
    TestHandler.FAILURES_LEFT.set(1);
    f.approve(r);
    awaitAttempts(r, 1);
    f.clock.advance(Duration.ofMinutes(2));

    assertThat(f.services.sweepNow()).isEqualTo(1);

    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.TIMED_OUT);
    assertThat(TestHandler.TIMED_OUT)
        .singleElement()
        .satisfies(t -> assertThat(t.invocationId()).isEqualTo(r.invocationId()));
  }

  @Test
  void theAcknowledgementOfOneOperationWinsOverItsServices() {
    f =
        new RuntimeFixture(
                b ->
                    b.acknowledgement(ACME, Acknowledgement.DURABLE)
                        .acknowledgement(ACME, RuntimeFixture.SUBMIT, Acknowledgement.SYNC))
            .withAcme();
    InvocationResult r = f.submit(new TestHandler("Kit", APPROVED));
    TestHandler.FAILURES_LEFT.set(1);

    assertThat(f.approve(r).status()).as("SYNC: the sender hears of the failure").isEqualTo(500);
  }

  @Test
  void theDurableQueueRunsWithoutATestPollingIt() {
    f =
        new RuntimeFixture(
                b ->
                    b.acknowledgement(ACME, Acknowledgement.DURABLE)
                        .startSweeper(true)
                        .sweepInterval(Duration.ofMillis(50))
                        .durableRetries(3, Duration.ofSeconds(1), Duration.ofSeconds(1)))
            .withAcme();
    InvocationResult r = f.submit(new TestHandler("Lia", APPROVED));
    TestHandler.FAILURES_LEFT.set(1);

    assertThat(f.approve(r).status()).isEqualTo(200);
    awaitAttempts(r, 1);
    assertThat(f.status(r.invocationId()))
        .as("the retry waits for the clock")
        .isEqualTo(InvocationStatus.PENDING);
    f.clock.advance(Duration.ofSeconds(1)); // the retry is due; the worker's own poll takes it

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.COMPLETED);
    assertThat(TestHandler.RUNS).hasValue(2);
  }
}
