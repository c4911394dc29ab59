package dev.extsvc.runtime.observe;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Figures read from the store for the gauges, cached briefly so that frequent scrapes cost a few
 * queries each few seconds, not a few per gauge; nothing is read until a gauge is.
 */
public final class StoreGauges {
  /** Lists are counted up to this many; a backlog larger still shows as this figure. */
  public static final int LIMIT = 1000;

  private static final Duration FRESH = Duration.ofSeconds(2);

  /** Beyond any deadline (callback timeouts are bounded), yet a time every database can bind. */
  private static final Duration FAR = Duration.ofDays(100 * 365);

  /**
   * @param nextDeadline the earliest PENDING deadline in epoch seconds, NaN when none
   * @param sweeperLag seconds the most overdue PENDING invocation is past its deadline, 0 if none
   */
  public record Figures(
      Map<InvocationStatus, Long> byStatus,
      int overdue,
      double nextDeadline,
      double sweeperLag,
      int queued,
      int dead) {}

  private final Store store;
  private final InstantSource clock;
  private volatile Figures last =
      new Figures(new EnumMap<>(InvocationStatus.class), 0, Double.NaN, 0, 0, 0);
  private volatile long readAt;

  public StoreGauges(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Fresh figures; throws the store's exception when it cannot answer. */
  public Figures read() {
    Instant now = clock.instant();
    Map<InvocationStatus, Long> byStatus = store.countByStatus();
    List<InvocationRow> overdue = store.pendingDueBefore(now, LIMIT);
    List<InvocationRow> next =
        overdue.isEmpty() ? store.pendingDueBefore(now.plus(FAR), 1) : overdue.subList(0, 1);
    double nextDeadline =
        next.isEmpty() ? Double.NaN : next.get(0).deadline().toEpochMilli() / 1000.0;
    double lag =
        overdue.isEmpty()
            ? 0
            : Duration.between(overdue.get(0).deadline(), now).toMillis() / 1000.0;
    int unfinished = 0;
    for (CallbackRow row : store.dueCallbacks(now, now, LIMIT)) {
      if (row.outcome() == CallbackOutcome.RECEIVED) {
        unfinished++;
      }
    }
    int retrying = 0;
    int dead = 0;
    for (CallbackRow row : store.failedCallbacks(LIMIT)) {
      if (row.deadAt() != null) {
        dead++;
      } else if (row.nextAttemptAt() != null) {
        retrying++;
      }
    }
    Figures figures =
        new Figures(
            byStatus,
            overdue.size(),
            nextDeadline,
            lag,
            Math.min(LIMIT, unfinished + retrying),
            dead);
    last = figures;
    readAt = System.nanoTime();
    return figures;
  }

  /** Figures at most a few seconds old; the last known ones when the store does not answer. */
  public Figures recent() {
    if (readAt == 0 || System.nanoTime() - readAt > FRESH.toNanos()) {
      try {
        return read();
      } catch (RuntimeException e) {
        return last;
      }
    }
    return last;
  }
}
