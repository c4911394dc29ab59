package dev.extsvc.bench;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ReceivedCallback;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The handler of every benchmark invocation: stored as type + state and re-created per callback
 * like any real one, and counting its runs so the check can tell a handler that ran twice from one
 * that never ran.
 */
final class BenchHandler implements CallbackHandler {
  static final AtomicLong RUNS = new AtomicLong();

  private String applicant = "";

  BenchHandler() {}

  BenchHandler(String applicant) {
    this.applicant = applicant;
  }

  @Override
  public void onCallback(String key, List<ReceivedCallback> callbacks) {
    if (applicant.isEmpty()) {
      throw new IllegalStateException("handler state was not restored");
    }
    RUNS.incrementAndGet();
  }
}
