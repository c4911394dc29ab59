package dev.extsvc.runtime;

import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Moves PENDING invocations past their deadline to TIMED_OUT, and tells their handlers. */
final class Sweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);
  private static final int BATCH = 500;

  private final ExternalServices services;
  private final Duration interval;
  private final ScheduledExecutorService executor;
  /** System.nanoTime() of the last sweep that finished, 0 before the first. */
  private volatile long lastSweep;
  private volatile boolean started;

  Sweeper(ExternalServices services, Duration interval) {
    this.services = services;
    this.interval = interval;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "extsvc-sweeper");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    started = true;
    executor.scheduleWithFixedDelay(this::sweepQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void sweepQuietly() {
    try {
      sweep();
      lastSweep = System.nanoTime();
    } catch (StoreUnavailableException e) {
      log.warn("Sweeper paused: store unavailable ({})", e.getMessage());
    } catch (RuntimeException e) {
      log.error("Sweeper failed", e);
    }
  }

  int sweep() {
    int total = 0;
    while (true) {
      List<InvocationRow> timedOut = services.store().timeOutDue(services.clock().instant(), BATCH);
      total += timedOut.size();
      timedOut.forEach(this::notifyHandler);
      if (timedOut.size() < BATCH) {
        return total;
      }
    }
  }

  private void notifyHandler(InvocationRow inv) {
    if (inv.handlerType() == null) {
      return;
    }
    UUID id = inv.id();
    try {
      CallbackHandler handler = services.handlers().recreate(inv.handlerType(),
          inv.handlerState() == null ? "{}" : inv.handlerState());
      handler.onTimeout(new TimedOutInvocation(id, inv.service(), inv.operation(), inv.submitTime(), inv.deadline()));
    } catch (Exception e) {
      services.store().appendEvent(new NewEvent(id, services.clock().instant(), "HANDLER_FAILED",
          "Handler timeout hook failed: " + e.getClass().getName() + ": " + e.getMessage()));
    }
  }

  boolean alive() {
    long last = lastSweep;
    long patience = Math.max(interval.toNanos() * 3, java.time.Duration.ofSeconds(5).toNanos());
    return started && !executor.isShutdown() && last != 0 && System.nanoTime() - last < patience;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
