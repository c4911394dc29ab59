package dev.extsvc.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a long-running command (serve, mock, demo --keep-running) alive until Ctrl-C, then closes
 * what it started, last started first. In-process (tests) an interrupt of the command's thread
 * stops it the same way.
 */
final class UntilStopped {
  private UntilStopped() {}

  /** Waits; returns once the resources are closed. */
  static void await(AutoCloseable... resources) {
    AtomicBoolean closed = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable close =
        () -> {
          if (closed.compareAndSet(false, true)) {
            closeAll(resources);
          }
          stopped.countDown();
        };
    Thread hook = new Thread(close, "extsvc-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already and closes everything itself
      }
      close.run();
    }
  }

  static void closeAll(AutoCloseable... resources) {
    List<AutoCloseable> reversed = new ArrayList<>(List.of(resources));
    java.util.Collections.reverse(reversed);
    for (AutoCloseable r : reversed) {
      try {
        r.close();
      } catch (Exception e) {
        // closing the rest matters more than one that failed to close
      }
    }
  }
}
