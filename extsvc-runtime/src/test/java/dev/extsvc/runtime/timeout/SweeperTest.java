package dev.extsvc.runtime.timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.TimedOutInvocation;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.testing.InMemoryStore;
import dev.extsvc.runtime.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sweeper's batches: every due invocation times out once whatever the batch size, its hook runs
 * once after its batch committed, and a failing hook costs only its own invocation a HANDLER_FAILED
 * event.
 */
class SweeperTest {
  static final int BATCH = 5;
  static final String HOOK = RecordingHook.class.getName();

  final SettableClock clock = new SettableClock();
  final InMemoryStore store = new InMemoryStore();

  /** The invocation ids whose hook ran, in the order they ran (duplicates kept). */
  final List<UUID> hooked = Collections.synchronizedList(new ArrayList<>());

  /** For each hook that ran: the status of every invocation of the sweep as the hook saw it. */
  final Map<UUID, List<InvocationStatus>> seenByHook = new ConcurrentHashMap<>();

  final List<UUID> all = new ArrayList<>();

  /** Hooks one at a time, so that their order can be asserted. */
  Sweeper sweeper =
      new Sweeper(
          new Sweeper.Context(store, clock, this::recreate, Duration.ofMinutes(1)), BATCH, 1);

  /** Set by a test to make every hook wait for it (with a bound) before it records its run. */
  volatile CountDownLatch gate = new CountDownLatch(0);

  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger mostAtOnce = new AtomicInteger();

  @AfterEach
  void close() {
    sweeper.close();
  }

  private CallbackHandler recreate(String type, String state) {
    assertThat(type).isEqualTo(HOOK);
    return new RecordingHook(state.contains("fail"));
  }

  /** A handler whose hook records its run and what the store says then, and may throw. */
  final class RecordingHook implements CallbackHandler {
    private final boolean fails;

    RecordingHook(boolean fails) {
      this.fails = fails;
    }

    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {}

    @Override
    public void onTimeout(TimedOutInvocation invocation) {
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        gate.countDown();
        if (!gate.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the other hooks of the gate never came");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        running.decrementAndGet();
      }
      hooked.add(invocation.invocationId());
      seenByHook.put(
          invocation.invocationId(),
          all.stream().map(id -> store.invocation(id).orElseThrow().status()).toList());
      if (fails) {
        throw new IllegalStateException("the reminder service is down");
      }
    }
  }

  /**
   * {@code count} PENDING invocations due one second apart from now + 1 s, the given ones failing.
   */
  private List<UUID> due(int count, int... failing) {
    Instant now = clock.instant();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      UUID id = new UUID(now.toEpochMilli() << 16 | 0x7000L, 0x8000_0000_0000_0000L | all.size());
      int n = i;
      boolean fails = IntStream.of(failing).anyMatch(f -> f == n);
      store.createInvocation(
          new InvocationRow(
              id,
              "Acme",
              "Submit",
              true,
              InvocationStatus.PENDING,
              null,
              HOOK,
              fails ? "{\"fail\":true}" : "{}",
              "{}",
              null,
              null,
              null,
              now,
              now.plusSeconds(1 + i),
              null),
          List.of(),
          List.of(new NewEvent(id, now, EventKind.SUBMITTED, "made by the test")));
      ids.add(id);
      all.add(id);
    }
    return ids;
  }

  private List<String> kinds(UUID id) {
    return store.events(id).stream().map(EventRow::kind).map(EventKind::name).toList();
  }

  @Test
  void exactlyOneBatchDueTimesOutAllOfItEachHookOnceInDeadlineOrder() {
    List<UUID> ids = due(BATCH);
    clock.advance(Duration.ofMinutes(1));

    assertThat(sweeper.sweep()).isEqualTo(BATCH);

    assertThat(hooked).containsExactlyElementsOf(ids);
    assertThat(store.countByStatus()).containsEntry(InvocationStatus.TIMED_OUT, (long) BATCH);
    assertThat(sweeper.sweep()).isZero();
    assertThat(hooked).hasSize(BATCH);
  }

  @Test
  void oneMoreThanABatchTakesASecondBatchForTheLastOne() {
    List<UUID> ids = due(BATCH + 1);
    clock.advance(Duration.ofMinutes(1));

    assertThat(sweeper.sweep()).isEqualTo(BATCH + 1);

    assertThat(hooked).containsExactlyElementsOf(ids);
    ids.forEach(id -> assertThat(kinds(id)).containsExactly("SUBMITTED", "TIMED_OUT"));
  }

  @Test
  void oneLessThanABatchIsOneBatch() {
    List<UUID> ids = due(BATCH - 1);
    clock.advance(Duration.ofMinutes(1));

    assertThat(sweeper.sweep()).isEqualTo(BATCH - 1);

    assertThat(hooked).containsExactlyElementsOf(ids);
  }

  @Test
  void onlyTheInvocationsDueNowTimeOutAcrossBatches() {
    List<UUID> ids = due(3 * BATCH);
    // Deadlines are now + 1 s ... now + 15 s: the first 12 are due at now + 12 s.
    clock.advance(Duration.ofSeconds(12));

    assertThat(sweeper.sweep()).isEqualTo(12);

    assertThat(hooked).containsExactlyElementsOf(ids.subList(0, 12));
    ids.subList(12, 15)
        .forEach(
            id ->
                assertThat(store.invocation(id).orElseThrow().status())
                    .isEqualTo(InvocationStatus.PENDING));
  }

  @Test
  void hooksRunAfterTheirWholeBatchIsTimedOut() {
    due(2 * BATCH);
    clock.advance(Duration.ofMinutes(1));

    sweeper.sweep();

    // When the first hook of a batch runs, every invocation of that batch is TIMED_OUT already:
    // the batch was committed before any of its hooks.
    assertThat(seenByHook.get(all.getFirst()).subList(0, BATCH))
        .containsOnly(InvocationStatus.TIMED_OUT);
    assertThat(seenByHook.get(all.getFirst()).subList(BATCH, 2 * BATCH))
        .containsOnly(InvocationStatus.PENDING);
    assertThat(seenByHook.get(all.get(BATCH))).containsOnly(InvocationStatus.TIMED_OUT);
  }

  @Test
  void aFailingHookInABatchCostsOnlyItsOwnInvocationAHandlerFailedEvent() {
    // The third of the first batch fails; the rest of that batch and the next batch go on.
    List<UUID> ids = due(BATCH + 2, 2);
    clock.advance(Duration.ofMinutes(1));

    assertThat(sweeper.sweep()).isEqualTo(BATCH + 2);

    assertThat(hooked).containsExactlyElementsOf(ids);
    assertThat(kinds(ids.get(2))).containsExactly("SUBMITTED", "TIMED_OUT", "HANDLER_FAILED");
    assertThat(store.events(ids.get(2)).getLast().message())
        .contains("timeout hook failed")
        .contains("the reminder service is down");
    for (UUID id : ids) {
      assertThat(store.invocation(id).orElseThrow().status()).isEqualTo(InvocationStatus.TIMED_OUT);
      if (!id.equals(ids.get(2))) {
        assertThat(kinds(id)).containsExactly("SUBMITTED", "TIMED_OUT");
      }
    }
    // Nothing is retried: the next sweep finds nothing and runs no hook again.
    assertThat(sweeper.sweep()).isZero();
    assertThat(hooked).hasSize(BATCH + 2);
  }

  @Test
  void hooksOfOneBatchRunAtOnceUpToTheParallelismEachOnceAndBeforeTheNextBatch() {
    sweeper.close();
    sweeper =
        new Sweeper(
            new Sweeper.Context(store, clock, this::recreate, Duration.ofMinutes(1)), BATCH, 3);
    List<UUID> ids = due(2 * BATCH, 4);
    // Each hook waits until three hooks have started: with one at a time the first would wait
    // in vain and fail; more than three at once would show in mostAtOnce.
    gate = new CountDownLatch(3);
    clock.advance(Duration.ofMinutes(1));

    assertThat(sweeper.sweep()).isEqualTo(2 * BATCH);

    assertThat(hooked).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(mostAtOnce.get()).isEqualTo(3);
    assertThat(kinds(ids.get(4))).containsExactly("SUBMITTED", "TIMED_OUT", "HANDLER_FAILED");
    ids.stream()
        .filter(id -> !id.equals(ids.get(4)))
        .forEach(id -> assertThat(kinds(id)).containsExactly("SUBMITTED", "TIMED_OUT"));
    // Every hook of the first batch saw the second still PENDING: its hooks all ran before the
    // next batch was claimed.
    for (UUID id : ids.subList(0, BATCH)) {
      assertThat(seenByHook.get(id).subList(0, BATCH)).containsOnly(InvocationStatus.TIMED_OUT);
      assertThat(seenByHook.get(id).subList(BATCH, 2 * BATCH))
          .containsOnly(InvocationStatus.PENDING);
    }
    assertThat(sweeper.sweep()).isZero();
    assertThat(hooked).hasSize(2 * BATCH);
  }

  @Test
  void threeLanesTimeOutEveryDueInvocationOnceAndRunEachHookOnceWithinTheSharedParallelism() {
    sweeper.close();
    sweeper =
        new Sweeper(
            new Sweeper.Context(store, clock, this::recreate, Duration.ofMinutes(1)), BATCH, 2, 3);
    // Seven and a half batches, one hook failing, and two invocations not due yet.
    List<UUID> ids = due(7 * BATCH + 2 + 2, 9);
    // Each hook waits until two have started: two run at once, and never more (mostAtOnce).
    gate = new CountDownLatch(2);
    clock.advance(Duration.ofSeconds(7 * BATCH + 2));

    assertThat(sweeper.sweep()).isEqualTo(7 * BATCH + 2);

    assertThat(hooked).doesNotHaveDuplicates().hasSize(7 * BATCH + 2);
    assertThat(hooked).containsExactlyInAnyOrderElementsOf(ids.subList(0, 7 * BATCH + 2));
    // The lanes share one bound on the hooks running at once.
    assertThat(mostAtOnce.get()).isEqualTo(2);
    assertThat(kinds(ids.get(9))).containsExactly("SUBMITTED", "TIMED_OUT", "HANDLER_FAILED");
    ids.subList(0, 7 * BATCH + 2).stream()
        .filter(id -> !id.equals(ids.get(9)))
        .forEach(id -> assertThat(kinds(id)).containsExactly("SUBMITTED", "TIMED_OUT"));
    ids.subList(7 * BATCH + 2, ids.size())
        .forEach(
            id ->
                assertThat(store.invocation(id).orElseThrow().status())
                    .isEqualTo(InvocationStatus.PENDING));
    assertThat(sweeper.sweep()).isZero();
    assertThat(hooked).hasSize(7 * BATCH + 2);
  }

  @Test
  void aBacklogIsTimedOutBatchByBatchInTheOrderOfItsIdsEachBatchInDeadlineOrder() {
    List<UUID> ids = due(2 * BATCH);
    Instant now = clock.instant();
    // deadlines turned round: the last id is due first
    for (int i = 0; i < ids.size(); i++) {
      Instant from = now.plusSeconds(1 + i);
      Instant to = now.plusSeconds(ids.size() - i).plusMillis(500);
      assertThat(
              store.moveDeadline(
                  ids.get(i),
                  from,
                  to,
                  new NewEvent(ids.get(i), now, EventKind.DEADLINE_EXTENDED, "moved")))
          .isTrue();
    }
    clock.advance(Duration.ofMinutes(1));

    assertThat(sweeper.sweep()).isEqualTo(2 * BATCH);

    List<UUID> expected = new ArrayList<>(ids.subList(0, BATCH).reversed());
    expected.addAll(ids.subList(BATCH, 2 * BATCH).reversed());
    assertThat(hooked).containsExactlyElementsOf(expected);
  }

  @Test
  void aBacklogLargerThanOneReadIsReadAgainUntilEveryDueInvocationTimedOutOnce() {
    sweeper.close();
    sweeper =
        new Sweeper(
            new Sweeper.Context(store, clock, this::recreate, Duration.ofMinutes(1)),
            BATCH,
            1,
            1,
            2 * BATCH);
    List<UUID> ids = due(5 * BATCH + 1);
    clock.advance(Duration.ofMinutes(1));

    assertThat(sweeper.sweep()).isEqualTo(5 * BATCH + 1);

    assertThat(hooked).containsExactlyElementsOf(ids);
    assertThat(store.countByStatus()).containsEntry(InvocationStatus.TIMED_OUT, 5L * BATCH + 1);
  }

  @Test
  void aSweepWhoseWholeReadIsLeasedEndsAndLeavesThemPending() {
    List<UUID> ids = due(3);
    Instant now = clock.instant();
    for (UUID id : ids) {
      assertThat(store.claim(id, UUID.randomUUID(), "node-a", now, now.plus(Duration.ofHours(1))))
          .isPresent();
    }
    clock.advance(Duration.ofMinutes(1));

    assertThat(sweeper.sweep()).isZero();

    assertThat(hooked).isEmpty();
    assertThat(store.countByStatus()).containsEntry(InvocationStatus.PENDING, 3L);
  }

  @Test
  void aLaneCountBelowOneIsRefused() {
    assertThatThrownBy(
            () ->
                new Sweeper(
                    new Sweeper.Context(store, clock, this::recreate, Duration.ofMinutes(1)),
                    BATCH,
                    2,
                    0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lanes");
  }

  @Test
  void aHookParallelismBelowOneIsRefused() {
    assertThatThrownBy(
            () ->
                new Sweeper(
                    new Sweeper.Context(store, clock, this::recreate, Duration.ofMinutes(1)),
                    BATCH,
                    0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hookParallelism");
  }

  @Test
  void aBatchSizeBelowOneIsRefused() {
    assertThatThrownBy(
            () ->
                new Sweeper(
                    new Sweeper.Context(store, clock, this::recreate, Duration.ofMinutes(1)), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch");
  }
}
