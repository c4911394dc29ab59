package dev.extsvc.runtime.receive;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many refusals and repeats of one invocation this node writes into its debug log: the first
 * {@code perInvocation}, then one saying that further ones are not written, then none. A token
 * holder repeating a callback or posting junk cannot grow the log without bound. Bounded in memory;
 * per node.
 */
final class EventBudget {
  /** Whether to write an event, and whether it is the last one. */
  enum Spend {
    WRITE,
    WRITE_LAST,
    SKIP
  }

  private static final int MAX_INVOCATIONS = 10_000;

  private final int perInvocation;
  private final ConcurrentHashMap<UUID, AtomicInteger> spent = new ConcurrentHashMap<>();

  EventBudget(int perInvocation) {
    this.perInvocation = perInvocation;
  }

  Spend spend(UUID invocationId) {
    if (spent.size() >= MAX_INVOCATIONS && !spent.containsKey(invocationId)) {
      spent.clear(); // forgetting lets a few more events through, never fewer
    }
    int n = spent.computeIfAbsent(invocationId, k -> new AtomicInteger()).incrementAndGet();
    if (n < perInvocation) {
      return Spend.WRITE;
    }
    return n == perInvocation ? Spend.WRITE_LAST : Spend.SKIP;
  }
}
