package dev.extsvc.spring;

import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Store;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts read from the store for health and metrics, cached briefly so that frequent scrapes cost
 * one query each few seconds, not one per gauge.
 */
final class StoreFigures {
  /**
   * Overdue invocations are counted up to this many; a backlog larger still shows as this figure.
   */
  static final int OVERDUE_LIMIT = 1000;

  private static final Duration FRESH = Duration.ofSeconds(2);

  record Figures(Map<InvocationStatus, Long> byStatus, int overdue) {}

  private final Store store;
  private volatile Figures last = new Figures(new EnumMap<>(InvocationStatus.class), 0);
  private volatile long readAt;

  StoreFigures(Store store) {
    this.store = store;
  }

  /** Fresh figures; throws the store's exception when it cannot answer. */
  Figures read() {
    var byStatus = store.countByStatus();
    int overdue = store.pendingDueBefore(java.time.Instant.now(), OVERDUE_LIMIT).size();
    var figures = new Figures(byStatus, overdue);
    last = figures;
    readAt = System.nanoTime();
    return figures;
  }

  /** Figures at most a few seconds old; the last known ones when the store does not answer. */
  Figures recent() {
    if (System.nanoTime() - readAt > FRESH.toNanos()) {
      try {
        return read();
      } catch (RuntimeException e) {
        return last;
      }
    }
    return last;
  }
}
