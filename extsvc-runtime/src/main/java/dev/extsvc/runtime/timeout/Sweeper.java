package dev.extsvc.runtime.timeout;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.TimedOutInvocation;
import dev.extsvc.runtime.observe.Telemetry;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves PENDING invocations past their deadline to TIMED_OUT, and tells their handlers. Sweeps
 * every interval once {@link #start() started}, or when asked ({@link #sweep()}).
 */
public final class Sweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

  /**
   * Invocations timed out per store transaction. Their hooks run after it commits, before the next
   * batch is claimed. A larger batch saves commits, and the index pages a batch writes whatever its
   * size (the new entries at the end of an index, the due index's places): 100,000 of 1,000,000
   * waiting wrote ~12,350 bytes per timeout in batches of 1,000 on SQLite, ~6,360 in batches of
   * 4,000, and took 4.3 s against 3.0 s. On SQLite the single writer is held for one batch's
   * transaction, which a callback arriving meanwhile waits for.
   */
  static final int BATCH = 4000;

  /**
   * Due invocations read at once, the earliest deadlines, then timed out in batches in the order of
   * their rows: a backlog this large is written a neighbourhood at a time. The ids alone, a few MB.
   */
  static final int DUE_READ = 100_000;

  /**
   * Timeout hooks of one batch run at once, each on a virtual thread: a hook that calls out (a
   * reminder, a ticket) waits on its I/O, not on the other hooks of its batch.
   */
  static final int HOOK_PARALLELISM = 64;

  /** What the sweeper asks of processing: a stored handler re-created, to call its timeout hook. */
  @FunctionalInterface
  public interface HandlerRecreator {
    CallbackHandler recreate(String type, String state) throws Exception;
  }

  /** What the sweeper needs, fixed by the builder. */
  public record Context(
      Store store,
      InstantSource clock,
      HandlerRecreator handlers,
      Duration interval,
      Telemetry telemetry) {

    /** Without tracing or meters (tests). */
    public Context(Store store, InstantSource clock, HandlerRecreator handlers, Duration interval) {
      this(store, clock, handlers, interval, Telemetry.NONE);
    }
  }

  private final Store store;
  private final InstantSource clock;
  private final HandlerRecreator handlers;
  private final Duration interval;
  private final Telemetry telemetry;
  private final ScheduledExecutorService executor;
  private final int batch;
  private final int hookParallelism;
  private final int lanes;
  private final int dueRead;

  /** Hooks running now, of every lane: at most {@link #hookParallelism} at once. */
  private final Semaphore hookSlots;

  /** System.nanoTime() of the last sweep that finished, 0 before the first. */
  private volatile long lastSweep;

  private volatile boolean started;

  public Sweeper(Context context) {
    this(context, BATCH, HOOK_PARALLELISM);
  }

  /** A sweeper that times out at most {@code batch} invocations per store transaction. */
  Sweeper(Context context, int batch) {
    this(context, batch, HOOK_PARALLELISM);
  }

  /**
   * A sweeper that times out at most {@code batch} invocations per store transaction and runs at
   * most {@code hookParallelism} of their hooks at once (1: one after the other, in deadline
   * order), in as many lanes as the store {@linkplain Store#sweepLanes() takes with benefit} (one
   * when the hooks run one after the other).
   */
  Sweeper(Context context, int batch, int hookParallelism) {
    this(
        context,
        batch,
        hookParallelism,
        hookParallelism == 1 ? 1 : Math.max(1, context.store().sweepLanes()));
  }

  /**
   * As above, with {@code lanes} sweeping at once: each claims, times out and hooks batches of its
   * own until none is left.
   */
  Sweeper(Context context, int batch, int hookParallelism, int lanes) {
    this(context, batch, hookParallelism, lanes, DUE_READ);
  }

  /** As above, reading at most {@code dueRead} due invocations at once. */
  Sweeper(Context context, int batch, int hookParallelism, int lanes, int dueRead) {
    if (dueRead < 1) {
      throw new IllegalArgumentException("dueRead must be positive, was " + dueRead);
    }
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be positive, was " + lanes);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be positive, was " + batch);
    }
    if (hookParallelism < 1) {
      throw new IllegalArgumentException(
          "hookParallelism must be positive, was " + hookParallelism);
    }
    this.batch = batch;
    this.dueRead = dueRead;
    this.hookParallelism = hookParallelism;
    this.lanes = lanes;
    this.hookSlots = new Semaphore(hookParallelism);
    this.store = context.store();
    this.clock = context.clock();
    this.handlers = context.handlers();
    this.interval = context.interval();
    this.telemetry = context.telemetry();
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "extsvc-sweeper");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts sweeping every interval. */
  public void start() {
    started = true;
    executor.scheduleWithFixedDelay(
        this::sweepQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
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

  /**
   * Times out due invocations now; returns how many. Reads the earliest-due ids ({@link
   * Store#dueInvocations}, up to {@link #DUE_READ}), times them out in batches in the store's order
   * of their rows, and reads again while a full read timed something out. With several lanes, the
   * lanes take the batches of one read in turn, each batch keeping the guarantees below; the store
   * keeps the lanes' claims apart, as it keeps those of several nodes apart.
   */
  public int sweep() {
    int total = 0;
    while (true) {
      List<UUID> due = store.dueInvocations(clock.instant(), dueRead);
      if (due.isEmpty()) {
        return total;
      }
      var batches = new ConcurrentLinkedQueue<List<UUID>>();
      for (int from = 0; from < due.size(); from += batch) {
        batches.add(due.subList(from, Math.min(due.size(), from + batch)));
      }
      int moved = sweepLanes(batches);
      total += moved;
      // Short: every due invocation was read. Nothing moved: all that were read are leased or
      // retried, and are looked at again next interval.
      if (due.size() < dueRead || moved == 0) {
        return total;
      }
    }
  }

  /** Times out and hooks the batches in {@link #lanes} lanes; returns how many timed out. */
  private int sweepLanes(Queue<List<UUID>> batches) {
    if (lanes == 1) {
      return sweepLane(batches);
    }
    List<CompletableFuture<Integer>> others = new ArrayList<>();
    for (int i = 1; i < lanes; i++) {
      CompletableFuture<Integer> lane = new CompletableFuture<>();
      Thread.ofVirtual()
          .name("extsvc-sweeper-lane")
          .start(
              () -> {
                try {
                  lane.complete(sweepLane(batches));
                } catch (Throwable t) {
                  lane.completeExceptionally(t);
                }
              });
      others.add(lane);
    }
    int total = 0;
    @Nullable RuntimeException failure = null;
    try {
      total += sweepLane(batches);
    } catch (RuntimeException e) {
      failure = e;
    }
    // Every lane is waited for, uninterruptibly, like the hooks: a lane stops on its own after its
    // current batch's hooks, and its figure counts.
    boolean interrupted = false;
    for (CompletableFuture<Integer> lane : others) {
      while (true) {
        try {
          total += lane.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          RuntimeException cause =
              e.getCause() instanceof RuntimeException r
                  ? r
                  : new IllegalStateException("a sweeper lane failed", e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
    return total;
  }

  /** Times out and hooks batches until none is left; returns how many timed out. */
  private int sweepLane(Queue<List<UUID>> batches) {
    int total = 0;
    for (List<UUID> ids = batches.poll(); ids != null; ids = batches.poll()) {
      // One transaction times out the batch with its events (set-based in the store, not a
      // statement per invocation); the hooks run once it has committed, so a hook never sees its
      // invocation still PENDING and a crash before a hook leaves the invocation TIMED_OUT (hooks
      // run at most once).
      List<InvocationRow> timedOut = store.timeOut(ids, clock.instant());
      total += timedOut.size();
      for (InvocationRow inv : timedOut) {
        telemetry.meters().finished(inv.service(), inv.operation(), InvocationStatus.TIMED_OUT);
        telemetry.tracing().timedOut(inv, "Callback timeout reached at " + inv.deadline());
      }
      runHooks(timedOut);
    }
    return total;
  }

  /**
   * Runs the hooks of one committed batch, at most {@link #hookParallelism} at once (with the other
   * lanes' hooks), and returns when all have run. Waiting is uninterruptible: the batch is
   * TIMED_OUT already, so a hook not run now would never run (closing the sweeper must not drop
   * them).
   */
  private void runHooks(List<InvocationRow> timedOut) {
    List<InvocationRow> hooked =
        timedOut.stream().filter(inv -> inv.handlerType() != null).toList();
    if (hookParallelism == 1 && lanes == 1) {
      hooked.forEach(this::notifyHandler);
      return;
    }
    Semaphore slots = hookSlots;
    CountDownLatch done = new CountDownLatch(hooked.size());
    for (InvocationRow inv : hooked) {
      slots.acquireUninterruptibly();
      Thread.ofVirtual()
          .name("extsvc-timeout-hook")
          .start(
              () -> {
                try {
                  notifyHandler(inv);
                } catch (RuntimeException e) {
                  log.error("Timeout hook of invocation {} failed to report", inv.id(), e);
                } finally {
                  slots.release();
                  done.countDown();
                }
              });
    }
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void notifyHandler(InvocationRow inv) {
    if (inv.handlerType() == null) {
      return;
    }
    UUID id = inv.id();
    try {
      CallbackHandler handler =
          handlers.recreate(
              inv.handlerType(), inv.handlerState() == null ? "{}" : inv.handlerState());
      handler.onTimeout(
          new TimedOutInvocation(
              id, inv.service(), inv.operation(), inv.submitTime(), inv.deadline()));
    } catch (Exception e) {
      store.appendEvent(
          new NewEvent(
              id,
              clock.instant(),
              EventKind.HANDLER_FAILED,
              "Handler timeout hook failed: " + e.getClass().getName() + ": " + e.getMessage()));
    }
  }

  /**
   * Whether started, not closed, and a sweep completed lately (within three intervals, at least 5
   * s).
   */
  public boolean alive() {
    long last = lastSweep;
    long patience = Math.max(interval.toNanos() * 3, java.time.Duration.ofSeconds(5).toNanos());
    return started && !executor.isShutdown() && last != 0 && System.nanoTime() - last < patience;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
