package dev.extsvc.runtime.process;

import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.HandlerTransaction;
import dev.extsvc.runtime.cluster.Liveness;
import dev.extsvc.runtime.observe.Telemetry;
import dev.extsvc.runtime.store.CallbackInsert;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.Lease;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.spec.CallbackRole;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs handlers off the request thread: bounded for synchronous answers (a slow handler releases
 * its sender with 202 and finishes in the background), from the durable queue, for replays, and for
 * recovery — callbacks that were stored but whose process died before the handler finished are
 * picked up again once their grace has passed. Polls only once {@link #start() started}.
 */
public final class CallbackWorker implements AutoCloseable {
  /**
   * The answer to a callback the runtime does not know (or no longer takes), the same for every
   * such case.
   */
  public static final String UNKNOWN = "Unknown callback";

  private static final Logger log = LoggerFactory.getLogger(CallbackWorker.class);
  private static final int BATCH = 100;
  private static final int SENDER_WAITING = 0;
  private static final int SENDER_GETS_FAILURE = 1;
  private static final int SENDER_RELEASED = 2;

  /**
   * What the process stage needs, fixed by the builder.
   *
   * @param handlerTimeout how long a synchronous sender waits before it is answered 202
   * @param callbackLease how long one handler run holds its invocation
   * @param recoveryGrace after how long a stored, unfinished callback is taken to have lost its
   *     process
   * @param pollInterval how often due retries and unfinished callbacks are looked for
   * @param nodeId this runtime's node: leases record it, so that others release them at once should
   *     it die
   * @param progressKeys which keys of an operation are not final (the registry knows)
   */
  public record Context(
      Store store,
      InstantSource clock,
      Handlers handlers,
      HandlerTransaction handlerTransaction,
      Acknowledgements acknowledgements,
      int maxAttempts,
      Duration firstRetryDelay,
      Duration maxRetryDelay,
      Duration handlerTimeout,
      Duration callbackLease,
      Duration recoveryGrace,
      Duration pollInterval,
      String nodeId,
      Telemetry telemetry,
      ProgressKeys progressKeys) {

    /** Without telemetry and progress keys: nothing traced or measured, every key final. */
    public Context(
        Store store,
        InstantSource clock,
        Handlers handlers,
        HandlerTransaction handlerTransaction,
        Acknowledgements acknowledgements,
        int maxAttempts,
        Duration firstRetryDelay,
        Duration maxRetryDelay,
        Duration handlerTimeout,
        Duration callbackLease,
        Duration recoveryGrace,
        Duration pollInterval,
        String nodeId) {
      this(
          store,
          clock,
          handlers,
          handlerTransaction,
          acknowledgements,
          maxAttempts,
          firstRetryDelay,
          maxRetryDelay,
          handlerTimeout,
          callbackLease,
          recoveryGrace,
          pollInterval,
          nodeId,
          Telemetry.NONE,
          ProgressKeys.NONE);
    }
  }

  /**
   * The progress and heartbeat keys of an operation, by key; empty when every key is final (then
   * each callback is handled alone and completes its invocation, as always).
   */
  @FunctionalInterface
  public interface ProgressKeys {
    /** Every key final. */
    ProgressKeys NONE = (service, operation) -> Map.of();

    Map<String, CallbackRole> of(String service, String operation);
  }

  private final Store store;
  private final InstantSource clock;
  private final Acknowledgements acknowledgements;
  private final CallbackProcessor processor;
  private final Duration handlerBound;
  private final Duration recoveryGrace;
  private final Duration takeoverGrace;
  private final Duration pollInterval;
  private final Duration callbackLease;
  private final String nodeId;
  private final Liveness liveness;
  private final ExecutorService handlers =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("extsvc-handler-", 0).factory());
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "extsvc-callback-worker");
            t.setDaemon(true);
            return t;
          });

  private final ScheduledThreadPoolExecutor renewals = renewalThread();

  /**
   * One platform thread for every run's renewals. Each run schedules its renewal and cancels it
   * when it ends, mostly long before the first is due (a third of the lease): a cancelled renewal
   * leaves the queue at once, rather than staying there with its run's invocation row until its
   * time comes (at thousands of callbacks a second, a queue of tens of thousands and the garbage
   * collector's work).
   */
  /** Lease renewals scheduled and not yet run, for tests. */
  int queuedRenewals() {
    return renewals.getQueue().size();
  }

  private static ScheduledThreadPoolExecutor renewalThread() {
    var executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "extsvc-lease-renewal");
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /**
   * The lease watchdog's own thread: a renewal stuck on a store that does not answer must not keep
   * it from dropping runs whose leases are in doubt.
   */
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "extsvc-lease-watchdog");
            t.setDaemon(true);
            return t;
          });

  /**
   * Callbacks being processed in this process, so a poll never starts a second run beside a live
   * one. An optimisation only: the fenced lease in the store is what keeps two runs apart, here and
   * on other nodes.
   */
  private final Set<UUID> running = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean closed = new AtomicBoolean();

  /** A worker alone: its leases are trusted while their renewals go through. */
  public CallbackWorker(Context context) {
    this(context, Liveness.always(context.callbackLease().dividedBy(3)));
  }

  /**
   * A worker on a node: its leases are trusted while the node's heartbeats go through (its runs are
   * dropped at once when they have not for too long).
   */
  public CallbackWorker(Context context, Liveness liveness) {
    this.store = context.store();
    this.clock = context.clock();
    this.acknowledgements = context.acknowledgements();
    this.liveness = liveness;
    this.processor = new CallbackProcessor(context, renewals, watchdog, liveness);
    this.handlerBound = context.handlerTimeout();
    this.recoveryGrace = context.recoveryGrace();
    this.takeoverGrace =
        context.recoveryGrace().compareTo(TAKEOVER_GRACE) < 0
            ? context.recoveryGrace()
            : TAKEOVER_GRACE;
    this.pollInterval = context.pollInterval();
    this.callbackLease = context.callbackLease();
    this.nodeId = context.nodeId();
  }

  /**
   * How old an unfinished callback that no run holds must be for a takeover (right after a dead
   * node's leases were released) to take it: not the recovery grace, only enough that a callback
   * another node has just stored and is about to claim is left to it.
   */
  static final Duration TAKEOVER_GRACE = Duration.ofSeconds(1);

  /**
   * Starts polling for due retries and unfinished callbacks, every poll interval; takes over at
   * once what a previous process of this node left unfinished.
   */
  public void start() {
    takeOver();
    poller.scheduleWithFixedDelay(
        this::pollQuietly, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stores a first delivery and, in the same write, leases its invocation to the run that is about
   * to start here ({@link Store#insertCallbackAndClaim}); hand the result's lease to {@link
   * #submit(CallbackRow, Lease, InvocationRow)} or {@link #runBounded(CallbackRow, InvocationRow,
   * Lease)}.
   */
  public CallbackInsert storeAndClaim(CallbackRow callback, NewEvent event) {
    return store.insertCallbackAndClaim(
        callback, event, nodeId, callback.receivedAt().plus(callbackLease));
  }

  /**
   * A first delivery to an invocation without a handler, whose sender waits: stored, recorded and
   * its invocation completed in one write ({@link Store#insertCallbackAndComplete}). The result's
   * row is HANDLED when that was done; else (a duplicate, or the invocation held by another run or
   * no longer PENDING) it is to be answered as usual, through {@link #runBounded}.
   */
  public CallbackInsert storeAndRecord(CallbackRow callback, NewEvent event) {
    UUID id = callback.invocationId();
    Instant at = callback.receivedAt();
    return store.insertCallbackAndComplete(
        callback,
        event,
        nodeId,
        at.plus(callbackLease),
        List.of(
            CallbackProcessor.recordedEvent(id, at, callback.key()),
            CallbackProcessor.completedEvent(id, at, callback.key())));
  }

  /**
   * Takes over now, in the background, the unfinished callbacks no run holds and the due retries:
   * called right after this node released a dead node's leases, so that its callbacks do not wait
   * for their recovery grace or the next poll.
   */
  public void takeOver() {
    if (closed.get()) {
      return;
    }
    try {
      poller.execute(
          () -> {
            try {
              poll(takeoverGrace);
            } catch (StoreUnavailableException e) {
              log.warn("Takeover left for the next poll: store unavailable ({})", e.getMessage());
            } catch (RuntimeException e) {
              log.error("Takeover failed", e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("Takeover not started: the worker is closing");
    }
  }

  /** Processes now in the background (durable acknowledgement). */
  public void submit(CallbackRow stored) {
    if (running.add(stored.id())) {
      // the handler's span is a child of the callback's, current here
      handlers.submit(io.opentelemetry.context.Context.current().wrap(() -> run(stored, true)));
    }
  }

  /**
   * As {@link #submit(CallbackRow)}, under a lease taken with the callback's insert (null: none was
   * taken, the run claims as usual).
   */
  public void submit(CallbackRow stored, @Nullable Lease held, InvocationRow known) {
    if (held == null) {
      submit(stored);
      return;
    }
    if (!running.add(stored.id())) {
      releaseQuietly(held);
      return;
    }
    handlers.submit(
        () -> {
          try {
            return processor.processClaimed(stored, held, () -> true, known);
          } catch (StoreUnavailableException e) {
            log.warn("Callback {} left for later: store unavailable", stored.id());
            return CallbackResponse.of(503, "Service unavailable, retry later");
          } catch (RuntimeException e) {
            log.error("Processing callback {} failed", stored.id(), e);
            return CallbackResponse.of(500, "Callback handler failed");
          } finally {
            running.remove(stored.id());
          }
        });
  }

  /** Gives back a lease no run here will use; should that fail, it runs out by itself. */
  private void releaseQuietly(Lease held) {
    try {
      store.release(held);
    } catch (RuntimeException e) {
      log.warn("Lease of invocation {} not released: {}", held.invocationId(), e.toString());
    }
  }

  /**
   * Processes now and answers within the bound; past it the sender gets 202 and the handler goes
   * on.
   */
  public CallbackResponse runBounded(CallbackRow stored, @Nullable InvocationRow known) {
    return runBounded(stored, known, null);
  }

  /**
   * As {@link #runBounded(CallbackRow, InvocationRow)}, under a lease taken with the callback's
   * insert (null: none was taken, the run claims as usual).
   */
  public CallbackResponse runBounded(
      CallbackRow stored, @Nullable InvocationRow known, @Nullable Lease held) {
    if (!running.add(stored.id())) {
      if (held != null) {
        releaseQuietly(held);
      }
      // A copy of this callback runs here already (its repeat got to the run first): this sender
      // hears 200 once that run has handled it, else to try again.
      CallbackRow settled = awaitSettled(stored.id());
      return settled.outcome() == CallbackOutcome.HANDLED
          ? CallbackResponse.of(200, "Callback handled")
          : CallbackResponse.of(
              503, "Callback is being handled, retry later", Map.of("Retry-After", "1"));
    }
    // Who answers the sender is decided once: the handler's failure (the sender gets 500 and
    // retries) or the bound (the sender gets 202 and will not retry, so a failure from then on
    // must be retried by us).
    AtomicInteger sender = new AtomicInteger(SENDER_WAITING);
    Future<CallbackResponse> answer =
        handlers.submit(
            // the handler's span is a child of the callback's, current here
            io.opentelemetry.context.Context.current()
                .wrap(
                    () -> {
                      try {
                        BooleanSupplier retriedByUs =
                            () -> !sender.compareAndSet(SENDER_WAITING, SENDER_GETS_FAILURE);
                        return held != null && known != null
                            ? processor.processClaimed(stored, held, retriedByUs, known)
                            : processor.process(stored, false, retriedByUs, known);
                      } finally {
                        running.remove(stored.id());
                      }
                    }));
    try {
      return answer.get(handlerBound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      if (!sender.compareAndSet(SENDER_WAITING, SENDER_RELEASED)) {
        return awaitAnswer(answer); // the handler failed just now and its sender is to hear so
      }
      store.appendEvent(
          new NewEvent(
              stored.invocationId(),
              clock.instant(),
              EventKind.HANDLER_SLOW,
              "Handler still running after "
                  + handlerBound
                  + "; the sender was answered 202 and the handler goes on"));
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
      return CallbackResponse.of(503, "Interrupted, retry later", Map.of("Retry-After", "1"));
    }
  }

  /** The answer of a run whose outcome is already decided and only being recorded. */
  private static CallbackResponse awaitAnswer(Future<CallbackResponse> answer) {
    try {
      return answer.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreUnavailableException s) {
        throw s;
      }
      return CallbackResponse.of(500, "Callback handler failed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CallbackResponse.of(503, "Interrupted, retry later", Map.of("Retry-After", "1"));
    }
  }

  /** Whether this process is running the callback's handler now. */
  public boolean runningHere(UUID callbackId) {
    return running.contains(callbackId);
  }

  /** Waits (bounded) until a stored callback is no longer RECEIVED; returns it as it then is. */
  public CallbackRow awaitSettled(UUID callbackId) {
    long until = System.nanoTime() + handlerBound.toNanos();
    CallbackRow row = store.callback(callbackId).orElseThrow();
    while (row.outcome() == CallbackOutcome.RECEIVED && System.nanoTime() < until) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      row = store.callback(callbackId).orElseThrow();
    }
    return row;
  }

  /**
   * Runs the handler again for a stored callback whose handler failed (FAILED, also dead) or
   * declined it (NOT_HANDLED), as if its sender had sent it again: 200 when handled now, 404, 408
   * or 500 as the receiver answers; 404 for an unknown callback, 409 for one that is handled or
   * being handled.
   */
  public CallbackResponse replay(UUID callbackId) {
    CallbackRow row = store.callback(callbackId).orElse(null);
    if (row == null) {
      return CallbackResponse.of(404, "No callback " + callbackId);
    }
    if (row.outcome() == CallbackOutcome.HANDLED || row.outcome() == CallbackOutcome.RECEIVED) {
      return CallbackResponse.of(
          409, "Callback " + callbackId + " is " + row.outcome() + ", not failed");
    }
    Instant at = clock.instant();
    if (!store.replayCallback(
        callbackId,
        at,
        new NewEvent(
            row.invocationId(),
            at,
            EventKind.CALLBACK_RETRY,
            "Callback " + row.key() + " run again (replay)"))) {
      return CallbackResponse.of(409, "Callback " + callbackId + " cannot be run again");
    }
    return runBounded(store.callback(callbackId).orElseThrow(), null);
  }

  /**
   * Processes due durable retries and recovers unfinished callbacks now; returns how many were
   * started. A callback is recovered by claiming its lease first: only a run that got the lease
   * writes anything (one CALLBACK_RECOVERED event per takeover), so callbacks another node is
   * running cost one failed claim per poll, and no event.
   */
  public int poll() {
    return poll(recoveryGrace);
  }

  private int poll(Duration grace) {
    if (!liveness.trusted()) {
      return 0; // a node that cannot show it is alive claims nothing (its next heartbeat will)
    }
    processor.releaseLeftovers();
    Instant now = clock.instant();
    List<CallbackRow> due = store.dueCallbacks(now, now.minus(grace), BATCH);
    int started = 0;
    for (CallbackRow row : due) {
      if (running.add(row.id())) {
        started++;
        handlers.submit(
            () -> {
              // Everything inside the try: an id left in `running` would never be processed again
              // by this process.
              try {
                CallbackRow fresh = stillDue(row);
                if (fresh == null) {
                  return;
                }
                boolean durable = durable(fresh);
                if (fresh.outcome() == CallbackOutcome.RECEIVED) {
                  processor.recover(fresh, durable);
                } else {
                  processor.process(fresh, durable);
                }
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

  /**
   * The callback as it is now, or null when another node settled it since the poll read it (a
   * settled callback must not be refused as "too late" over its real outcome).
   */
  private @Nullable CallbackRow stillDue(CallbackRow polled) {
    CallbackRow now = store.callback(polled.id()).orElse(null);
    if (now == null) {
      return null;
    }
    return switch (now.outcome()) {
      case RECEIVED -> now;
      case FAILED, NOT_HANDLED -> now.nextAttemptAt() != null ? now : null; // due, or replayed
      case HANDLED -> null;
    };
  }

  private boolean durable(CallbackRow row) {
    InvocationRow inv = store.invocation(row.invocationId()).orElse(null);
    return inv != null && acknowledgements.durable(inv.service(), inv.operation());
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
  public void close(Duration patience) {
    if (closed.compareAndSet(false, true)) {
      poller.shutdownNow();
      handlers.shutdown();
      try {
        handlers.awaitTermination(patience.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      handlers.shutdownNow();
      renewals.shutdownNow();
      watchdog.shutdownNow();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
