package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.HandlerLease;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.TimedOutInvocation;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster tests' handler, re-created from the store on whichever node runs it. Static counters
 * see every run of every node in this JVM: how many ran, how many at once at most; runs started
 * while {@link #block} is set wait for {@link #release} (a node whose handler is stuck, or paused).
 */
final class ClusterHandler implements CallbackHandler {
  static final AtomicInteger RUNS = new AtomicInteger();
  static final AtomicInteger IN_FLIGHT = new AtomicInteger();
  static final AtomicInteger MAX_IN_FLIGHT = new AtomicInteger();

  /** Runs interrupted while they waited, and what their lease said then. */
  static final AtomicInteger INTERRUPTED = new AtomicInteger();

  static final java.util.List<Boolean> HELD_WHEN_INTERRUPTED =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** System.nanoTime() when the last interruption reached a handler. */
  static volatile long interruptedAtNanos;

  /** Timeout hook runs per invocation, of every node. */
  static final Map<UUID, Integer> TIMEOUT_HOOKS = new ConcurrentHashMap<>();

  /** The invocation each timeout hook was told of, as "service operation name". */
  static final Map<UUID, String> TIMED_OUT = new ConcurrentHashMap<>();

  static volatile boolean block;
  static volatile CountDownLatch release = new CountDownLatch(0);
  static volatile long runMillis;

  private String name = "";

  private ClusterHandler() {}

  ClusterHandler(String name) {
    this.name = name;
  }

  static void reset() {
    RUNS.set(0);
    IN_FLIGHT.set(0);
    MAX_IN_FLIGHT.set(0);
    INTERRUPTED.set(0);
    HELD_WHEN_INTERRUPTED.clear();
    interruptedAtNanos = 0;
    block = false;
    release = new CountDownLatch(1);
    runMillis = 0;
    TIMEOUT_HOOKS.clear();
    TIMED_OUT.clear();
  }

  @Override
  public void onTimeout(TimedOutInvocation invocation) {
    TIMEOUT_HOOKS.merge(invocation.invocationId(), 1, Integer::sum);
    TIMED_OUT.put(
        invocation.invocationId(),
        invocation.service() + " " + invocation.operation() + " " + name);
  }

  @Override
  public void onCallback(String key, List<ReceivedCallback> callbacks) throws Exception {
    RUNS.incrementAndGet();
    MAX_IN_FLIGHT.accumulateAndGet(IN_FLIGHT.incrementAndGet(), Math::max);
    try {
      if (block && !release.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + ": never released");
      }
      Thread.sleep(runMillis);
    } catch (InterruptedException e) {
      interruptedAtNanos = System.nanoTime();
      HELD_WHEN_INTERRUPTED.add(HandlerLease.current().held());
      INTERRUPTED.incrementAndGet();
      throw e;
    } finally {
      IN_FLIGHT.decrementAndGet();
    }
  }
}
