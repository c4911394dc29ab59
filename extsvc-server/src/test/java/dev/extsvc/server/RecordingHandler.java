package dev.extsvc.server;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CallbackNotHandledException;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.TimedOutInvocation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler as a user would write one: it keeps the applicant's name in a field (its stored state)
 * and handles only the keys it was told to. Static sinks let tests see what re-created instances
 * did.
 */
final class RecordingHandler implements CallbackHandler {
  record Seen(String applicant, String key, ReceivedCallback callback) {}

  static final List<Seen> SEEN = new CopyOnWriteArrayList<>();
  static final List<TimedOutInvocation> TIMED_OUT = new CopyOnWriteArrayList<>();
  static final AtomicInteger FAILURES_LEFT = new AtomicInteger();
  static volatile Runnable DURING = () -> {};

  private String applicant;
  private List<String> handledKeys;

  private RecordingHandler() {}

  RecordingHandler(String applicant, String... handledKeys) {
    this.applicant = applicant;
    this.handledKeys = List.of(handledKeys);
  }

  static void reset() {
    SEEN.clear();
    TIMED_OUT.clear();
    FAILURES_LEFT.set(0);
    DURING = () -> {};
  }

  @Override
  public void onCallback(String key, List<ReceivedCallback> callbacks) {
    if (!handledKeys.contains(key)) {
      throw new CallbackNotHandledException(key);
    }
    DURING.run();
    if (FAILURES_LEFT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("database is down");
    }
    callbacks.forEach(c -> SEEN.add(new Seen(applicant, key, c)));
  }

  @Override
  public void onTimeout(TimedOutInvocation invocation) {
    TIMED_OUT.add(invocation);
  }
}
