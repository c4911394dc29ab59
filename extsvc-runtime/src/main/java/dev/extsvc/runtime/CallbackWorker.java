package dev.extsvc.runtime;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs handlers off the request thread: bounded for synchronous answers (a slow handler releases its sender with
 * 202 and finishes in the background), from the durable queue, and for recovery — callbacks that were stored but
 * whose process died before the handler finished are picked up again once their grace has passed.
 */
final class CallbackWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallbackWorker.class);
  private static final int BATCH = 100;

  private final ExternalServices services;
  private final CallbackProcessor processor;
  private final Duration handlerBound;
  private final Duration recoveryGrace;
  private final Duration pollInterval;
  private final ExecutorService handlers = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("extsvc-handler-", 0).factory());
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "extsvc-callback-worker");
    t.setDaemon(true);
    return t;
  });
  /** Callbacks being processed in this process, so a poll never starts a second run beside a live one. */
  private final Set<UUID> running = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  CallbackWorker(ExternalServices services, CallbackProcessor processor, Duration handlerBound,
      Duration recoveryGrace, Duration pollInterval) {
    this.services = services;
    this.processor = processor;
    this.handlerBound = handlerBound;
    this.recoveryGrace = recoveryGrace;
    this.pollInterval = pollInterval;
  }

  void start() {
    poller.scheduleWithFixedDelay(this::pollQuietly, pollInterval.toMillis(), pollInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Processes now in the background (durable acknowledgement). */
  void submit(CallbackRow stored) {
    if (running.add(stored.id())) {
      handlers.submit(() -> run(stored, true));
    }
  }

  /** Processes now and answers within the bound; past it the sender gets 202 and the handler goes on. */
  CallbackResponse runBounded(CallbackRow stored, @Nullable InvocationRow known) {
    if (!running.add(stored.id())) {
      return CallbackResponse.of(503, "Callback is being handled, retry later", java.util.Map.of("Retry-After", "1"));
    }
    AtomicBoolean released = new AtomicBoolean();
    Future<CallbackResponse> answer = handlers.submit(() -> {
      try {
        // Once the sender is released it will not retry, so a failure from then on must be retried by us.
        return processor.process(stored, released.get(), known);
      } finally {
        running.remove(stored.id());
      }
    });
    try {
      return answer.get(handlerBound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      released.set(true);
      services.store().appendEvent(new NewEvent(stored.invocationId(), services.clock().instant(), "HANDLER_SLOW",
          "Handler still running after " + handlerBound + "; the sender was answered 202 and the handler goes on"));
      return CallbackResponse.of(202, "Callback stored; its handler is still running");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StoreUnavailableException s) {
        throw s;
      }
      log.error("Processing callback {} failed", stored.id(), cause);
      return CallbackResponse.of(500, "Callback handler failed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CallbackResponse.of(503, "Interrupted, retry later", java.util.Map.of("Retry-After", "1"));
    }
  }

  /** Waits (bounded) until a stored callback is no longer RECEIVED; returns it as it then is. */
  CallbackRow awaitSettled(UUID callbackId) {
    long until = System.nanoTime() + handlerBound.toNanos();
    CallbackRow row = services.store().callback(callbackId).orElseThrow();
    while (row.outcome() == CallbackOutcome.RECEIVED && System.nanoTime() < until) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      row = services.store().callback(callbackId).orElseThrow();
    }
    return row;
  }

  int poll() {
    Instant now = services.clock().instant();
    List<CallbackRow> due = services.store().dueCallbacks(now, now.minus(recoveryGrace), BATCH);
    int started = 0;
    for (CallbackRow row : due) {
      if (running.add(row.id())) {
        started++;
        boolean recovered = row.outcome() == CallbackOutcome.RECEIVED;
        handlers.submit(() -> {
          // Everything inside the try: an id left in `running` would never be processed again by this process.
          try {
            if (recovered) {
              services.store().appendEvent(new NewEvent(row.invocationId(), services.clock().instant(),
                  "CALLBACK_RECOVERED", "Callback " + row.key() + " was stored but never finished; handling it now"));
            }
            run(row, durable(row));
          } catch (StoreUnavailableException e) {
            log.warn("Callback {} left for later: store unavailable", row.id());
          } catch (RuntimeException e) {
            log.error("Processing callback {} failed", row.id(), e);
          } finally {
            running.remove(row.id());
          }
        });
      }
    }
    return started;
  }

  private boolean durable(CallbackRow row) {
    InvocationRow inv = services.store().invocation(row.invocationId()).orElse(null);
    return inv != null && services.acknowledgement(inv.service(), inv.operation()) == Acknowledgement.DURABLE;
  }

  private CallbackResponse run(CallbackRow row, boolean durable) {
    try {
      return processor.process(row, durable);
    } catch (StoreUnavailableException e) {
      log.warn("Callback {} left for later: store unavailable", row.id());
      return CallbackResponse.of(503, "Service unavailable, retry later");
    } catch (RuntimeException e) {
      log.error("Processing callback {} failed", row.id(), e);
      return CallbackResponse.of(500, "Callback handler failed");
    } finally {
      running.remove(row.id());
    }
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (StoreUnavailableException e) {
      log.warn("Callback worker paused: store unavailable ({})", e.getMessage());
    } catch (RuntimeException e) {
      log.error("Callback worker failed", e);
    }
  }

  /** Stops polling and waits up to {@code patience} for running handlers. */
  void close(Duration patience) {
    if (closed.compareAndSet(false, true)) {
      poller.shutdownNow();
      handlers.shutdown();
      try {
        handlers.awaitTermination(patience.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      handlers.shutdownNow();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
