package dev.extsvc.bench;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.TimedOutInvocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The handler of every benchmark invocation: stored as type + state and re-created per callback
 * like any real one, and counting its runs so the check can tell a handler that ran twice from one
 * that never ran.
 */
final class BenchHandler implements CallbackHandler {
  static final AtomicLong RUNS = new AtomicLong();

  /** Timeout hook runs per invocation, so the sweep figures can show each hook ran once. */
  static final Map<UUID, Integer> TIMEOUT_HOOKS = new ConcurrentHashMap<>();

  static {
    // In a server of its own (the outside load), the count goes to a file when the server stops.
    String file = System.getProperty("bench.handlerRuns");
    if (file != null) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      Files.writeString(Path.of(file), Long.toString(RUNS.get()));
                    } catch (IOException e) {
                      System.err.println("cannot write the handler's runs to " + file + ": " + e);
                    }
                  }));
    }
  }

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

  @Override
  public void onTimeout(TimedOutInvocation invocation) {
    if (applicant.isEmpty()) {
      throw new IllegalStateException("handler state was not restored");
    }
    TIMEOUT_HOOKS.merge(invocation.invocationId(), 1, Integer::sum);
  }
}
