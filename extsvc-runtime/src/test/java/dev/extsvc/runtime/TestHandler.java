package dev.extsvc.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler as a user writes one: its state is its fields (the applicant, the keys it handles), and
 * it is re-created from them for each callback. Static sinks let tests see what the re-created
 * instances did; reset them before each test.
 */
final class TestHandler implements CallbackHandler {
  record Seen(String applicant, String key, List<ReceivedCallback> callbacks) {
    ReceivedCallback only() {
      if (callbacks.size() != 1) {
        throw new AssertionError("expected one callback, got " + callbacks.size());
      }
      return callbacks.get(0);
    }
  }

  static final List<Seen> SEEN = new CopyOnWriteArrayList<>();
  static final List<TimedOutInvocation> TIMED_OUT = new CopyOnWriteArrayList<>();

  /** How many runs still throw. */
  static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

  /** How many instances were made (by the runtime re-creating them, or by tests). */
  static final AtomicInteger CREATED = new AtomicInteger();

  /** How many runs started, failing ones too. */
  static final AtomicInteger RUNS = new AtomicInteger();

  static volatile Runnable during = () -> {};

  private String applicant;
  private List<String> handledKeys;

  private TestHandler() {
    CREATED.incrementAndGet();
  }

  TestHandler(String applicant, String... handledKeys) {
    this();
    this.applicant = applicant;
    this.handledKeys = List.of(handledKeys);
  }

  static void reset() {
    SEEN.clear();
    TIMED_OUT.clear();
    FAILURES_LEFT.set(0);
    CREATED.set(0);
    RUNS.set(0);
    during = () -> {};
  }

  @Override
  public void onCallback(String key, List<ReceivedCallback> callbacks) {
    RUNS.incrementAndGet();
    if (!handledKeys.contains(key)) {
      throw new CallbackNotHandledException(key);
    }
    during.run();
    if (FAILURES_LEFT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("ledger database is down");
    }
    SEEN.add(new Seen(applicant, key, List.copyOf(callbacks)));
  }

  @Override
  public void onTimeout(TimedOutInvocation invocation) {
    TIMED_OUT.add(invocation);
  }
}
