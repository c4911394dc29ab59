package dev.extsvc.runtime.process;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CallbackNotHandledException;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.HandlerTransaction;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Lease;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.runtime.support.Json;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.RequestParts;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the handler of one stored callback, once: under a lease on its invocation (so no timeout and
 * no other callback of the same invocation interleaves), then records the outcome. Shared by the
 * synchronous answer path, the durable queue, recovery after a crash, and replays. For an operation
 * with progress keys, one run takes the invocation's waiting callbacks together (a batch, oldest
 * first) and a callback that finds the invocation held waits for its turn or its place in a batch.
 */
final class CallbackProcessor {
  private static final Logger log = LoggerFactory.getLogger(CallbackProcessor.class);
  private static final String UNKNOWN = CallbackWorker.UNKNOWN;

  /** The most callbacks one handler run is given. */
  static final int MAX_BATCH = 100;

  /** How often a callback waiting for its invocation's run to end looks again. */
  private static final Duration TURN_POLL = Duration.ofMillis(20);

  private final Store store;
  private final InstantSource clock;
  private final Handlers handlers;
  private final HandlerTransaction transaction;
  private final RetryPolicy retries;
  private final Duration lease;
  private final String nodeId;
  private final ScheduledExecutorService renewals;
  private final CallbackWorker.ProgressKeys progressKeys;

  /** Exponential backoff with jitter, then dead. */
  record RetryPolicy(int maxAttempts, Duration firstDelay, Duration maxDelay) {
    Duration delayBefore(int attempt) {
      double exp = firstDelay.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
      double capped = Math.min(maxDelay.toMillis(), exp);
      // Jitter spreads retries of many callbacks that failed together (a database down) over time.
      return Duration.ofMillis(
          (long) (capped * (0.5 + ThreadLocalRandom.current().nextDouble() * 0.5)));
    }
  }

  /**
   * @param renewals where leases are renewed while their handlers run (one platform thread serves
   *     them all: a renewal is one short statement)
   */
  CallbackProcessor(CallbackWorker.Context context, ScheduledExecutorService renewals) {
    this.store = context.store();
    this.clock = context.clock();
    this.handlers = context.handlers();
    this.transaction = context.handlerTransaction();
    this.retries =
        new RetryPolicy(context.maxAttempts(), context.firstRetryDelay(), context.maxRetryDelay());
    this.lease = context.callbackLease();
    this.nodeId = context.nodeId();
    this.renewals = renewals;
    this.progressKeys = context.progressKeys();
  }

  /**
   * Processes a stored callback; returns what its sender is (or would have been) answered.
   *
   * @param durable whether the callback was accepted already (DURABLE): a handler failure schedules
   *     a retry
   */
  CallbackResponse process(CallbackRow stored, boolean durable) {
    return process(stored, durable, () -> durable, null, false);
  }

  /**
   * Processes a stored callback found unfinished by the recovery poll: when (and only when) its
   * lease is taken, a CALLBACK_RECOVERED event says so.
   */
  CallbackResponse recover(CallbackRow stored, boolean durable) {
    return process(stored, durable, () -> durable, null, true);
  }

  /**
   * As above, for a sender that may be waiting, with the invocation as the receiver just read it,
   * which saves reading it again: what the handler needs (type, state, request, deadline) never
   * changes, and the claim below checks the status in the store.
   *
   * @param retriedByUs asked once, when the handler has failed: true when its sender will not retry
   *     (it was answered already, or the callback is durable), so the runtime schedules the retry
   *     itself
   */
  CallbackResponse process(
      CallbackRow stored,
      boolean durable,
      BooleanSupplier retriedByUs,
      @Nullable InvocationRow known) {
    return process(stored, durable, retriedByUs, known, false);
  }

  private CallbackResponse process(
      CallbackRow stored,
      boolean durable,
      BooleanSupplier retriedByUs,
      @Nullable InvocationRow known,
      boolean recovered) {
    UUID id = stored.invocationId();
    String key = stored.key();
    InvocationRow inv =
        known != null && known.id().equals(id) ? known : store.invocation(id).orElse(null);
    Instant now = clock.instant();
    if (inv == null) {
      return CallbackResponse.of(404, UNKNOWN);
    }
    if (!durable && inv.status() == InvocationStatus.PENDING && !now.isBefore(inv.deadline())) {
      // A replay after the deadline is as late as a sender's retry would be. (A durable callback
      // was accepted in
      // time and keeps its invocation from timing out until it succeeds or dies.)
      store.finish(
          id,
          InvocationStatus.TIMED_OUT,
          "Callback timeout reached",
          now,
          new NewEvent(
              id, now, EventKind.TIMED_OUT, "Callback timeout reached at " + inv.deadline()));
      inv = store.invocation(id).orElse(inv);
    }
    CallbackResponse refused = refuseIfFinal(inv, stored);
    if (refused != null) {
      return refused;
    }
    Map<String, CallbackRole> progress = progressKeys.of(inv.service(), inv.operation());
    // A callback of an operation with progress keys waits its turn: the run that holds the
    // invocation (or the next one) takes it in its batch, or it claims the invocation itself once
    // free. Recovery does not wait: it polls again.
    long waitUntil = System.nanoTime() + (progress.isEmpty() || recovered ? 0 : lease.toNanos());
    while (true) {
      now = clock.instant();
      Lease held = store.claim(id, stored.id(), nodeId, now, now.plus(lease)).orElse(null);
      if (held == null) {
        // Either another callback holds the invocation, or it became final since we read it (a
        // timeout won). Nothing is written for a claim that failed: recovery polls try again.
        InvocationRow again = store.invocation(id).orElse(inv);
        refused = refuseIfFinal(again, stored);
        if (refused != null) {
          return refused;
        }
        CallbackRow current = store.callback(stored.id()).orElse(stored);
        if (current.attempts() > stored.attempts()
            || current.outcome() == CallbackOutcome.HANDLED) {
          return answerFor(current); // settled in another run's batch
        }
        if (System.nanoTime() - waitUntil >= 0) {
          return CallbackResponse.of(
              503,
              "Another callback of this invocation is being handled, retry later",
              Map.of("Retry-After", "1"));
        }
        try {
          Thread.sleep(TURN_POLL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return CallbackResponse.of(503, "Interrupted, retry later", Map.of("Retry-After", "1"));
        }
        continue;
      }
      List<CallbackRow> batch;
      if (progress.isEmpty()) {
        batch = List.of(stored);
      } else {
        // Read again under the lease: another run may have taken this callback in its batch
        // between our failed claim and this one.
        CallbackRow current = store.callback(stored.id()).orElse(stored);
        if (current.attempts() > stored.attempts()
            || current.outcome() == CallbackOutcome.HANDLED) {
          store.release(held);
          return answerFor(current);
        }
        batch = batch(current, progress);
      }
      Lease batchLease = held.withBatch(batch.stream().map(CallbackRow::id).toList());
      if (recovered) {
        recovered(batchLease, key);
      }
      CallbackResponse answer;
      try (Renewal renewal = new Renewal(batchLease)) {
        answer =
            run(
                inv,
                batch,
                batchLease,
                renewal,
                batch.size() > 1 ? () -> true : retriedByUs,
                progress);
      }
      if (batchLease.callbackIds().contains(stored.id())) {
        return answer;
      }
      // The run handled older callbacks of the invocation first; this one comes next.
      inv = store.invocation(id).orElse(inv);
      refused = refuseIfFinal(inv, stored);
      if (refused != null) {
        return refused;
      }
    }
  }

  /**
   * The callbacks one run hands the handler together: the invocation's RECEIVED callbacks (and this
   * one, which may be a FAILED one run again) oldest first, as far as they share the first one's
   * key, up to and including the first of a final key (what comes after it is late), at most {@link
   * #MAX_BATCH}.
   */
  private List<CallbackRow> batch(CallbackRow stored, Map<String, CallbackRole> progress) {
    List<CallbackRow> waiting = new ArrayList<>();
    waiting.add(stored);
    for (CallbackRow c : store.callbacks(stored.invocationId())) {
      if (c.outcome() == CallbackOutcome.RECEIVED && !c.id().equals(stored.id())) {
        waiting.add(c);
      }
    }
    waiting.sort(Comparator.comparing(CallbackRow::receivedAt).thenComparing(CallbackRow::id));
    String key = waiting.get(0).key();
    List<CallbackRow> batch = new ArrayList<>();
    for (CallbackRow c : waiting) {
      if (!c.key().equals(key) || batch.size() == MAX_BATCH) {
        break;
      }
      batch.add(c);
      if (!progress.containsKey(key)) {
        break; // a final key's callback ends the wait
      }
    }
    return List.copyOf(batch);
  }

  /** What the sender of a callback settled by another run's batch is answered. */
  private static CallbackResponse answerFor(CallbackRow settled) {
    Integer code = settled.answerCode();
    return switch (settled.outcome()) {
      case HANDLED -> CallbackResponse.of(200, "Callback handled");
      case FAILED -> CallbackResponse.of(500, "Callback handler failed");
      case NOT_HANDLED ->
          CallbackResponse.of(
              code == null ? 404 : code,
              settled.error() == null ? "Callback not handled" : settled.error());
      case RECEIVED ->
          CallbackResponse.of(
              503, "Callback is being handled, retry later", Map.of("Retry-After", "1"));
    };
  }

  /** Says that recovery took a callback over, after its claim succeeded: one event per takeover. */
  private void recovered(Lease held, String key) {
    try {
      store.appendEvent(
          new NewEvent(
              held.invocationId(),
              clock.instant(),
              EventKind.CALLBACK_RECOVERED,
              "Callback "
                  + key
                  + " was stored but never finished; taken over by node "
                  + nodeId
                  + " (lease "
                  + held.fence()
                  + ")"));
    } catch (RuntimeException e) {
      try {
        store.release(held); // else the lease would keep others away until it runs out
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  /**
   * The handler's run over a batch (usually one callback) under a lease that {@code renewal} keeps.
   * A batch whose last callback is of a final key completes the invocation; one of progress keys
   * leaves it PENDING.
   */
  private CallbackResponse run(
      InvocationRow inv,
      List<CallbackRow> batch,
      Lease held,
      Renewal renewal,
      BooleanSupplier retriedByUs,
      Map<String, CallbackRole> progress) {
    UUID id = inv.id();
    CallbackRow stored = batch.get(0);
    String key = stored.key();
    boolean completes = !progress.containsKey(batch.get(batch.size() - 1).key());
    String what = batch.size() == 1 ? key : batch.size() + " callbacks of " + key;
    Instant now = clock.instant();
    if (inv.handlerType() == null) {
      try {
        return finish(
            inv,
            batch,
            held,
            completes,
            List.of(
                new NewEvent(
                    id,
                    now,
                    EventKind.CALLBACK_RECORDED,
                    "Callback "
                        + what
                        + " recorded for the caller (no handler)"
                        + (completes ? "" : "; progress, the invocation stays PENDING"))));
      } catch (Superseded e) {
        return superseded(inv, stored, held, e.getMessage());
      }
    }
    CallbackHandler handler;
    try {
      handler =
          handlers.recreate(
              inv.handlerType(), inv.handlerState() == null ? "{}" : inv.handlerState());
    } catch (Exception e) {
      return failed(
          inv,
          stored,
          held,
          retriedByUs,
          "handler " + inv.handlerType() + " could not be re-created: " + summary(e));
    }
    List<ReceivedCallback> callbacks = new ArrayList<>();
    RequestParts request = RequestParts.fromJson(Json.readTrusted(inv.request()));
    for (CallbackRow c : batch) {
      JsonNode body = c.body().isBlank() ? null : Json.readTrusted(c.body());
      callbacks.add(
          new ReceivedCallback(
              id,
              c.key(),
              c.method(),
              request,
              inv.submitTime(),
              inv.deadline(),
              inv.status(),
              c.receivedAt(),
              headerMap(c.headers()),
              body));
    }
    var call =
        new HandlerTransaction.HandlerCall(
            id,
            inv.service(),
            inv.operation(),
            key,
            inv.handlerType(),
            inv.submitTime(),
            stored.receivedAt());
    // What the handler threw, kept apart from what the completion or the commit threw: the first is
    // the
    // handler's answer (404, 500), the second the store's (503).
    Throwable[] handlerFailure = new Throwable[1];
    long[] handlerNanos = new long[1];
    InvocationRow running = inv;
    List<ReceivedCallback> given = List.copyOf(callbacks);
    try {
      transaction.run(
          call,
          () -> {
            long started = System.nanoTime();
            renewal.handlerStarts();
            try {
              handler.onCallback(key, given);
            } catch (Exception | LinkageError | StackOverflowError e) {
              handlerFailure[0] = e;
              throw e;
            } finally {
              renewal.handlerEnds();
              handlerNanos[0] = System.nanoTime() - started;
            }
          },
          () ->
              finish(
                  running,
                  batch,
                  held,
                  completes,
                  List.of(
                      new NewEvent(
                          id,
                          clock.instant(),
                          EventKind.HANDLER_OK,
                          "Handler "
                              + running.handlerType()
                              + " handled "
                              + what
                              + " in "
                              + String.format("%.1f", handlerNanos[0] / 1_000_000.0)
                              + " ms"
                              + (completes ? "" : "; progress, the invocation stays PENDING")))));
    } catch (Exception | LinkageError | StackOverflowError e) {
      Throwable cause = handlerFailure[0];
      Superseded refused = supersededIn(e);
      if (refused != null) {
        return superseded(inv, stored, held, refused.getMessage());
      }
      if (cause == null) {
        return storeFailed(inv, stored, held, e);
      }
      String lost = renewal.lost();
      if (lost != null) {
        // The handler was interrupted (or failed) after its lease was lost: not its answer.
        return superseded(inv, stored, held, lost);
      }
      if (cause instanceof CallbackNotHandledException nh) {
        String message = nh.getMessage();
        if (!store.settleCallback(
            held,
            Settlement.DECLINED.outcome(),
            404,
            message,
            new NewEvent(id, clock.instant(), Settlement.DECLINED.event(), message))) {
          return superseded(inv, stored, held, "the lease was taken over before the outcome");
        }
        return CallbackResponse.of(404, message);
      }
      return failed(
          inv,
          stored,
          held,
          retriedByUs,
          "Handler " + inv.handlerType() + " failed on " + what + ": " + summary(cause));
    }
    return CallbackResponse.of(200, "Callback handled");
  }

  /**
   * A run that lost its lease: another run has the callback (or will, once recovery finds it), so
   * this one's outcome is not recorded; the event says so. The sender is told to try again, and a
   * repeat is answered with the outcome of the run that holds the lease.
   */
  private CallbackResponse superseded(
      InvocationRow inv, CallbackRow stored, Lease held, String reason) {
    log.warn(
        "Invocation {}: the run of callback {} on node {} was superseded: {}",
        inv.id(),
        stored.key(),
        nodeId,
        reason);
    store.appendEvent(
        new NewEvent(
            inv.id(),
            clock.instant(),
            EventKind.HANDLER_SUPERSEDED,
            "Handler "
                + inv.handlerType()
                + " of "
                + stored.key()
                + " on node "
                + nodeId
                + " lost its lease (fence "
                + held.fence()
                + "): "
                + reason
                + "; its outcome is not recorded"));
    return CallbackResponse.of(
        503, "Callback is being handled elsewhere, retry later", Map.of("Retry-After", "1"));
  }

  /**
   * The completion or its commit failed after the handler ran: nothing of the unit of work stays,
   * so the callback is still RECEIVED and its sender (or recovery) tries again; answered 503 by the
   * receiver.
   */
  private CallbackResponse storeFailed(
      InvocationRow inv, CallbackRow stored, Lease held, Throwable e) {
    try {
      store.release(held);
    } catch (RuntimeException again) {
      e.addSuppressed(again); // the lease then expires by itself
    }
    if (e instanceof StoreUnavailableException unavailable) {
      throw unavailable;
    }
    throw new StoreUnavailableException(
        "completing callback "
            + stored.key()
            + " of invocation "
            + inv.id()
            + " failed: "
            + summary(e),
        e);
  }

  /**
   * The answer for a callback whose invocation is already final, or null while it is PENDING. The
   * refusal is recorded only while the callback is not HANDLED: a run on another node may have
   * handled it (and so made the invocation final) since it was read here, and that outcome stands;
   * the sender is then told it was handled.
   */
  private @Nullable CallbackResponse refuseIfFinal(InvocationRow inv, CallbackRow stored) {
    String key = stored.key();
    CallbackResponse refusal;
    boolean recorded;
    switch (inv.status()) {
      case COMPLETED -> {
        recorded =
            settle(
                stored,
                Settlement.REFUSED,
                409,
                "invocation already completed",
                "Callback " + key + " arrived after the invocation completed; handler not run");
        refusal = CallbackResponse.of(409, "Invocation already completed");
      }
      case CANCELLED -> {
        recorded =
            settle(
                stored,
                Settlement.REFUSED,
                404,
                "invocation cancelled",
                "Callback " + key + " arrived after the invocation was cancelled; handler not run");
        refusal = CallbackResponse.of(404, UNKNOWN);
      }
      case TIMED_OUT -> {
        recorded =
            settle(
                stored,
                Settlement.REFUSED,
                408,
                "callback timeout reached",
                "Callback " + key + " arrived after the callback timeout; handler not run");
        refusal = CallbackResponse.of(408, "Callback timeout reached");
      }
      default -> {
        return null;
      }
    }
    return recorded ? refusal : CallbackResponse.of(200, "Callback handled");
  }

  /**
   * Records a handled batch: the invocation completed by its final callback, or, for progress
   * callbacks, left PENDING with the lease given back.
   */
  private CallbackResponse finish(
      InvocationRow inv,
      List<CallbackRow> batch,
      Lease held,
      boolean completes,
      List<NewEvent> events) {
    Instant at = clock.instant();
    boolean recorded;
    if (completes) {
      List<NewEvent> all = new ArrayList<>(events);
      all.add(
          new NewEvent(
              inv.id(),
              at,
              EventKind.COMPLETED,
              "Completed by callback " + batch.get(batch.size() - 1).key()));
      recorded = store.completeWithCallback(held, at, all);
    } else {
      recorded = store.recordProgress(held, at, events);
    }
    if (!recorded) {
      // Thrown, not returned: inside a handler transaction this rolls the handler's writes back.
      throw new Superseded("the lease was taken over before the completion could commit");
    }
    return CallbackResponse.of(200, "Callback handled");
  }

  private CallbackResponse failed(
      InvocationRow inv,
      CallbackRow stored,
      Lease held,
      BooleanSupplier retriedByUs,
      String error) {
    Instant now = clock.instant();
    log.warn("Invocation {}: {}", inv.id(), error);
    if (!retriedByUs.getAsBoolean()) {
      if (!store.settleCallback(
          held,
          Settlement.FAILED.outcome(),
          500,
          error,
          new NewEvent(
              inv.id(),
              now,
              Settlement.FAILED.event(),
              error + "; the invocation stays PENDING"))) {
        return superseded(inv, stored, held, "the lease was taken over before the outcome");
      }
      return CallbackResponse.of(500, "Callback handler failed");
    }
    int attempt = stored.attempts() + 1;
    boolean recorded;
    if (attempt >= retries.maxAttempts()) {
      recorded =
          store.scheduleRetry(
              held,
              null,
              now,
              error,
              new NewEvent(
                  inv.id(),
                  now,
                  EventKind.CALLBACK_DEAD,
                  error
                      + "; attempt "
                      + attempt
                      + " of "
                      + retries.maxAttempts()
                      + ", retries given up (replay to try again)"));
    } else {
      Instant next = now.plus(retries.delayBefore(attempt));
      recorded =
          store.scheduleRetry(
              held,
              next,
              now,
              error,
              new NewEvent(
                  inv.id(),
                  now,
                  EventKind.HANDLER_FAILED,
                  error
                      + "; attempt "
                      + attempt
                      + " of "
                      + retries.maxAttempts()
                      + ", next at "
                      + next));
    }
    if (!recorded) {
      return superseded(inv, stored, held, "the lease was taken over before the outcome");
    }
    return CallbackResponse.of(500, "Callback handler failed");
  }

  /** The refused completion, also when a handler transaction wrapped it; else null. */
  private static @Nullable Superseded supersededIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Superseded s) {
        return s;
      }
    }
    return null;
  }

  /** A fenced completion refused: the run's lease was taken over. */
  private static final class Superseded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Superseded(String reason) {
      super(reason, null, false, false);
    }

    @Override
    public String getMessage() {
      String message = super.getMessage();
      return message == null ? "superseded" : message;
    }
  }

  /**
   * Keeps a run's lease while it lasts: renews it every third of the lease and, when a renewal
   * finds it lost (or none has succeeded for a whole lease, the store unreachable), records why and
   * interrupts the handler if it is still running. The fence, not this, is what refuses a
   * superseded run's writes; interrupting only stops work whose outcome would be refused.
   */
  private final class Renewal implements AutoCloseable {
    private static final int IDLE = 0;
    private static final int HANDLER_RUNNING = 1;
    private static final int INTERRUPTED = 2;

    private final Lease held;
    private final Thread runner = Thread.currentThread();
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final ScheduledFuture<?> task;
    private volatile long heldUntilNanos;
    private volatile @Nullable String lost;

    Renewal(Lease held) {
      this.held = held;
      this.heldUntilNanos = System.nanoTime() + lease.toNanos();
      long period = Math.max(1, lease.toMillis() / 3);
      this.task = renewals.scheduleWithFixedDelay(this::renew, period, period, MILLISECONDS);
    }

    private void renew() {
      if (lost != null) {
        return;
      }
      try {
        if (store.renew(held, clock.instant().plus(lease))) {
          heldUntilNanos = System.nanoTime() + lease.toNanos();
          return;
        }
        lose("a renewal found the lease taken over (the node was silent for too long)");
      } catch (RuntimeException e) {
        if (System.nanoTime() - heldUntilNanos > 0) {
          lose("the lease ran out while renewals failed (" + e.getMessage() + ")");
        } else {
          log.warn("Lease of invocation {} not renewed now: {}", held.invocationId(), e.toString());
        }
      }
    }

    private void lose(String reason) {
      lost = reason;
      task.cancel(false);
      if (state.compareAndSet(HANDLER_RUNNING, INTERRUPTED)) {
        runner.interrupt();
      }
    }

    void handlerStarts() {
      state.compareAndSet(IDLE, HANDLER_RUNNING);
      if (lost != null && state.compareAndSet(HANDLER_RUNNING, INTERRUPTED)) {
        runner.interrupt();
      }
    }

    void handlerEnds() {
      if (!state.compareAndSet(HANDLER_RUNNING, IDLE)) {
        Thread.interrupted(); // the interrupt meant for the handler is not for the completion
      }
    }

    /** Why the lease was lost, or null while it is held as far as this run knows. */
    @Nullable String lost() {
      return lost;
    }

    @Override
    public void close() {
      task.cancel(false);
    }
  }

  /** Records a refusal without a lease; false when the callback is HANDLED (nothing written). */
  private boolean settle(
      CallbackRow stored, Settlement settlement, int code, String error, String message) {
    return store.updateCallback(
        stored.id(),
        settlement.outcome(),
        code,
        error,
        new NewEvent(stored.invocationId(), clock.instant(), settlement.event(), message));
  }

  private static Map<String, String> headerMap(String json) {
    Map<String, String> map = new TreeMap<>();
    Json.readTrusted(json).properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  static String summary(Throwable e) {
    String msg = e.getMessage();
    return e.getClass().getName() + (msg == null ? "" : ": " + msg);
  }
}
