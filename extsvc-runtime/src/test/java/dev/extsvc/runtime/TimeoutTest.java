package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.ACME;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Callback timeouts: the sweeper moves PENDING invocations past their deadline to TIMED_OUT, each
 * once, and tells their handlers; a handler running under its lease keeps the sweeper away;
 * timeouts have defaults and maxima.
 */
class TimeoutTest {
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

  InvocationResult submit(String applicant, Duration timeout) {
    return f.services.invoke(
        ACME,
        RuntimeFixture.SUBMIT,
        RuntimeFixture.application(applicant),
        new TestHandler(applicant, APPROVED),
        timeout);
  }

  @Test
  void sweepingTimesOutOnlyTheDueInvocationsAndTellsTheirHandlers() {
    Instant submitted = f.clock.instant();
    InvocationResult soon = submit("Soon", Duration.ofMinutes(5));
    InvocationResult later = submit("Later", Duration.ofHours(2));
    f.clock.advance(Duration.ofMinutes(5));

    assertThat(f.services.sweepNow()).isEqualTo(1);

    InvocationRow timedOut = f.invocation(soon.invocationId());
    assertThat(timedOut.status()).isEqualTo(InvocationStatus.TIMED_OUT);
    assertThat(timedOut.reason()).isEqualTo("Callback timeout reached");
    assertThat(timedOut.finishedAt()).isEqualTo(f.clock.instant());
    assertThat(f.status(later.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(TestHandler.TIMED_OUT)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.invocationId()).isEqualTo(soon.invocationId());
              assertThat(t.service()).isEqualTo(ACME);
              assertThat(t.operation()).isEqualTo(RuntimeFixture.SUBMIT);
              assertThat(t.submitTime()).isEqualTo(submitted);
              assertThat(t.callbackTimeout()).isEqualTo(submitted.plus(Duration.ofMinutes(5)));
            });
    assertThat(f.kinds(soon.invocationId())).last().isEqualTo("TIMED_OUT");
    assertThat(f.messages(soon.invocationId()).getLast())
        .contains(submitted.plus(Duration.ofMinutes(5)).toString());
  }

  @Test
  void eachInvocationTimesOutOnce() {
    InvocationResult r = submit("Once", Duration.ofMinutes(1));
    f.clock.advance(Duration.ofMinutes(2));

    assertThat(f.services.sweepNow()).isEqualTo(1);
    assertThat(f.services.sweepNow()).isZero();
    f.clock.advance(Duration.ofDays(1));
    assertThat(f.services.sweepNow()).isZero();

    assertThat(f.kinds(r.invocationId())).filteredOn("TIMED_OUT"::equals).hasSize(1);
    assertThat(TestHandler.TIMED_OUT).hasSize(1);
  }

  @Test
  void completedAndCancelledInvocationsAreNeverTimedOut() {
    InvocationResult done = submit("Done", Duration.ofMinutes(1));
    InvocationResult cancelled = submit("Gone", Duration.ofMinutes(1));
    f.approve(done);
    f.services.cancel(cancelled.invocationId(), "not needed");
    f.clock.advance(Duration.ofMinutes(2));

    assertThat(f.services.sweepNow()).isZero();

    assertThat(f.status(done.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.status(cancelled.invocationId())).isEqualTo(InvocationStatus.CANCELLED);
    assertThat(TestHandler.TIMED_OUT).isEmpty();
  }

  @Test
  void aDeadlineExactlyNowIsDue() {
    InvocationResult r = submit("Edge", Duration.ofMinutes(1));
    f.clock.advance(Duration.ofMinutes(1).minusNanos(1000));
    assertThat(f.services.sweepNow()).isZero();

    f.clock.advance(Duration.ofNanos(1000));

    assertThat(f.services.sweepNow()).isEqualTo(1);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.TIMED_OUT);
  }

  @Test
  void sweepingGoesOnPastOneBatchUntilNothingIsDue() {
    Instant now = f.clock.instant();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 1234; i++) {
      UUID id = new UUID(now.toEpochMilli() << 16 | 0x7000L, 0x8000_0000_0000_0000L | i);
      f.store.createInvocation(
          new InvocationRow(
              id,
              ACME,
              RuntimeFixture.SUBMIT,
              true,
              InvocationStatus.PENDING,
              null,
              null,
              null,
              "{}",
              null,
              null,
              null,
              now,
              now.plusSeconds(i % 60),
              null),
          List.of(),
          List.of(new NewEvent(id, now, EventKind.SUBMITTED, "made by the test")));
      ids.add(id);
    }
    f.clock.advance(Duration.ofMinutes(1));

    assertThat(f.services.sweepNow()).isEqualTo(1234);

    assertThat(f.store.countByStatus()).containsEntry(InvocationStatus.TIMED_OUT, 1234L);
    assertThat(f.services.sweepNow()).isZero();
  }

  @Test
  void aHandlerRunningUnderItsLeaseKeepsTheSweeperAwayAndCompletes() throws Exception {
    InvocationResult r = submit("Leased", Duration.ofMinutes(1));
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestHandler.during =
        () -> {
          inside.countDown();
          ProcessingTest.awaitQuietly(release);
        };
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      var answer = pool.submit(() -> f.approve(r));
      assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
      f.clock.advance(
          Duration.ofSeconds(90)); // past the deadline (1 min), within the lease (2 min)

      assertThat(f.services.sweepNow()).as("leased: not timed out").isZero();

      release.countDown();
      assertThat(answer.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.sweepNow()).isZero();
    assertThat(TestHandler.TIMED_OUT).isEmpty();
  }

  @Test
  void anExpiredLeaseNoLongerKeepsTheSweeperAway() throws Exception {
    f.close();
    f = new RuntimeFixture(b -> b.callbackLease(Duration.ofMinutes(1))).withAcme();
    InvocationResult r = submit("Stuck", Duration.ofMinutes(1));
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestHandler.during =
        () -> {
          inside.countDown();
          ProcessingTest.awaitQuietly(release);
        };
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      var answer = pool.submit(() -> f.approve(r));
      assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
      f.clock.advance(Duration.ofMinutes(2));

      assertThat(f.services.sweepNow())
          .as("the lease ran out: a stuck handler does not hold it for ever")
          .isEqualTo(1);

      release.countDown();
      answer.get(10, TimeUnit.SECONDS);
    }
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.TIMED_OUT);
    assertThat(f.kinds(r.invocationId()))
        .filteredOn(k -> k.equals("TIMED_OUT") || k.equals("COMPLETED"))
        .hasSize(1);
  }

  @Test
  void aCallbackAfterTheSweepIsAnswered408() {
    InvocationResult r = submit("Late", Duration.ofMinutes(10));
    f.clock.advance(Duration.ofMinutes(11));
    f.services.sweepNow();

    CallbackResponse answer = f.post(r.callbackUrls().get(APPROVED), APPROVED_BODY);

    assertThat(answer.status()).isEqualTo(408);
    assertThat(TestHandler.RUNS).hasValue(0);
    assertThat(f.services.callbacks(r.invocationId())).isEmpty();
    assertThat(f.kinds(r.invocationId())).endsWith("TIMED_OUT", "CALLBACK_LATE");
  }

  @Test
  void aFailingTimeoutHookIsLoggedAndTheInvocationStaysTimedOut() {
    InvocationResult r =
        f.services.invoke(
            ACME,
            RuntimeFixture.SUBMIT,
            RuntimeFixture.application("Hook"),
            new FailingTimeoutHook(),
            Duration.ofMinutes(1));
    f.clock.advance(Duration.ofMinutes(1));

    assertThat(f.services.sweepNow()).isEqualTo(1);

    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.TIMED_OUT);
    assertThat(f.kinds(r.invocationId())).endsWith("TIMED_OUT", "HANDLER_FAILED");
    assertThat(f.messages(r.invocationId()).getLast())
        .contains("timeout hook failed")
        .contains("no reminder");
  }

  /** A handler whose timeout hook throws. */
  static final class FailingTimeoutHook implements CallbackHandler {
    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {}

    @Override
    public void onTimeout(TimedOutInvocation invocation) {
      throw new IllegalStateException("no reminder could be sent");
    }
  }

  @Test
  void withoutATimeoutTheRuntimesDefaultOf24HoursApplies() {
    InvocationResult r = submit("Default", null);

    assertThat(f.invocation(r.invocationId()).deadline())
        .isEqualTo(f.clock.instant().plus(Duration.ofHours(24)));
  }

  @Test
  void aCustomDefaultTimeoutAppliesAndACustomMaximumIsEnforced() {
    f.close();
    f =
        new RuntimeFixture(
                b ->
                    b.defaultCallbackTimeout(Duration.ofHours(2))
                        .maxCallbackTimeout(Duration.ofHours(3)))
            .withAcme();

    InvocationResult r = submit("Custom", null);

    assertThat(f.invocation(r.invocationId()).deadline())
        .isEqualTo(f.clock.instant().plus(Duration.ofHours(2)));
    assertThat(submit("Three", Duration.ofHours(3)).successful()).isTrue();
    assertThatThrownBy(() -> submit("Four", Duration.ofHours(4)))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("exceeds the maximum")
        .hasMessageContaining("PT3H");
  }

  @Test
  void aServicesOwnTimeoutsWinOverTheRuntimes() {
    f.close();
    f =
        new RuntimeFixture(
                b ->
                    b.service(
                        ACME,
                        s ->
                            s.defaultCallbackTimeout(Duration.ofMinutes(30))
                                .maxCallbackTimeout(Duration.ofHours(1))))
            .withAcme();

    InvocationResult r = submit("Svc", null);

    assertThat(f.invocation(r.invocationId()).deadline())
        .isEqualTo(f.clock.instant().plus(Duration.ofMinutes(30)));
    assertThatThrownBy(() -> submit("Svc2", Duration.ofHours(2)))
        .hasMessageContaining("exceeds the maximum")
        .hasMessageContaining("of service " + ACME);
  }

  @Test
  void aTimeoutAboveTheMaximumIsRefusedBeforeAnythingIsStoredOrSent() {
    int before = f.bank.received().size();

    assertThatThrownBy(() -> submit("Greedy", Duration.ofHours(25)))
        .hasMessageContaining("exceeds the maximum");

    assertThat(f.bank.received()).hasSize(before);
    assertThat(f.store.countByStatus().values().stream().mapToLong(Long::longValue).sum()).isZero();
  }

  @Test
  void aZeroOrNegativeTimeoutIsRefused() {
    assertThatThrownBy(() -> submit("Zero", Duration.ZERO))
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> submit("Neg", Duration.ofSeconds(-1)))
        .hasMessageContaining("must be positive");
    assertThat(f.bank.received()).isEmpty();
  }

  @Test
  void aDefaultAboveTheMaximumIsRefusedWhenBuilding() {
    assertThatThrownBy(
            () -> f.builder(f.store.reopen()).defaultCallbackTimeout(Duration.ofHours(48)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defaultCallbackTimeout");
  }

  @Test
  void theBackgroundSweeperTimesOutOnItsOwnAndSaysItIsAlive() {
    f.close();
    f =
        new RuntimeFixture(b -> b.startSweeper(true).sweepInterval(Duration.ofMillis(50)))
            .withAcme();
    InvocationResult r = submit("Bg", Duration.ofMinutes(1));
    f.clock.advance(Duration.ofMinutes(2));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.status(r.invocationId()) == InvocationStatus.TIMED_OUT);
    await().atMost(Duration.ofSeconds(10)).until(f.services::sweeperAlive);
    assertThat(TestHandler.TIMED_OUT).hasSize(1);
    f.services.close();
    assertThat(f.services.sweeperAlive()).isFalse();
  }

  @Test
  void aSweeperThatWasNotStartedIsNotAlive() {
    assertThat(f.services.sweeperAlive()).isFalse();
  }

  @Test
  void whileTheStoreIsDownNothingTimesOutAndAfterwardsItDoes() {
    InvocationResult r = submit("Down", Duration.ofMinutes(1));
    f.clock.advance(Duration.ofMinutes(2));
    f.store.unavailable(true);

    assertThatThrownBy(f.services::sweepNow)
        .isInstanceOf(dev.extsvc.runtime.store.StoreUnavailableException.class);

    f.store.unavailable(false);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.sweepNow()).isEqualTo(1);
  }
}
