package dev.extsvc.runtime.receive;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts unknown-token answers per client address in fixed windows; a client over the limit is
 * answered 429 before any lookup, so guessing tokens costs the guesser, not the store. Bounded in
 * memory.
 */
final class UnknownTokenLimiter {
  private static final int MAX_CLIENTS = 10_000;

  private record Window(long startNanos, int count) {}

  private final int limit;
  private final long windowNanos;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  UnknownTokenLimiter(int limit, Duration window) {
    this.limit = limit;
    this.windowNanos = window.toNanos();
  }

  boolean overLimit(String client) {
    Window w = windows.get(client);
    return w != null && System.nanoTime() - w.startNanos() < windowNanos && w.count() >= limit;
  }

  void record(String client) {
    if (windows.size() >= MAX_CLIENTS) {
      long now = System.nanoTime();
      windows.values().removeIf(w -> now - w.startNanos() >= windowNanos);
      if (windows.size() >= MAX_CLIENTS) {
        windows.clear();
      }
    }
    long now = System.nanoTime();
    windows.compute(
        client,
        (k, w) ->
            w == null || now - w.startNanos() >= windowNanos
                ? new Window(now, 1)
                : new Window(w.startNanos(), w.count() + 1));
  }
}
