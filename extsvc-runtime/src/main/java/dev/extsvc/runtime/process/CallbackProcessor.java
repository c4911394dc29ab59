package dev.extsvc.runtime.process;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CallbackNotHandledException;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.HandlerLease;
import dev.extsvc.runtime.HandlerTransaction;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.cluster.Liveness;
import dev.extsvc.runtime.observe.Telemetry;
import dev.extsvc.runtime.observe.Tracing;
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
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final Telemetry telemetry;
  private final Liveness liveness;
  private final CallbackWorker.ProgressKeys progressKeys;

  /**
   * Leases of superseded runs that could not be given back then (the store out of reach): given
   * back once it answers, else they would keep their callbacks until they ran out.
   */
  private final java.util.Queue<Lease> unreleased =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** The runs in progress in this process, which the watchdog looks after. */
  private final Set<Renewal> active = ConcurrentHashMap.newKeySet();

  /**
   * How often the watchdog looks: a run is dropped at most this long after its lease is in doubt.
   */
  static final Duration WATCHDOG_PERIOD = Duration.ofMillis(50);

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

  /** A processor alone (tests): leases renewed every third, the watchdog on the same thread. */
  CallbackProcessor(CallbackWorker.Context context, ScheduledExecutorService renewals) {
    this(context, renewals, renewals, Liveness.always(context.callbackLease().dividedBy(3)));
  }

  /**
   * @param renewals where leases are renewed while their handlers run (one platform thread serves
   *     them all: a renewal is one short statement)
   * @param watchdog where the watchdog looks, every {@link #WATCHDOG_PERIOD}
   * @param liveness until when this node's leases are certainly its own
   */
  CallbackProcessor(
      CallbackWorker.Context context,
      ScheduledExecutorService renewals,
      ScheduledExecutorService watchdog,
      Liveness liveness) {
    this.store = context.store();
    this.clock = context.clock();
    this.handlers = context.handlers();
    this.transaction = context.handlerTransaction();
    this.retries =
        new RetryPolicy(context.maxAttempts(), context.firstRetryDelay(), context.maxRetryDelay());
    this.lease = context.callbackLease();
    this.nodeId = context.nodeId();
    this.renewals = renewals;
    this.telemetry = context.telemetry();
    this.liveness = liveness;
    this.progressKeys = context.progressKeys();
    liveness.onLapse(this::dropAll);
    long period = WATCHDOG_PERIOD.toMillis();
    watchdog.scheduleAtFixedRate(this::watch, period, period, MILLISECONDS);
  }

  /**
   * The watchdog: drops every run whose lease can no longer be trusted (its last renewal or its
   * node's last heartbeat that went through is too old), interrupting its handler.
   */
  private void watch() {
    long now = System.nanoTime();
    for (Renewal r : active) {
      try {
        r.check(now);
      } catch (RuntimeException e) {
        log.error("Watchdog failed on invocation {}", r.held.invocationId(), e);
      }
    }
  }

  /** Gives back the leases of superseded runs that could not be given back before. */
  void releaseLeftovers() {
    for (Lease l = unreleased.peek(); l != null; l = unreleased.peek()) {
      store.release(l); // fenced: no change when someone took it meanwhile
      unreleased.remove(l);
    }
  }

  /** Drops every run at once: this node's heartbeats stopped going through for too long. */
  private void dropAll(String reason) {
    for (Renewal r : active) {
      r.lose(reason);
    }
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

  /**
   * As above, under a lease already taken with the callback's insert ({@link
   * Store#insertCallbackAndClaim}): the invocation was PENDING when claimed and nobody else can
   * move it but a cancel, so the checks before a claim are skipped, and so is the claim.
   *
   * @param known the invocation as the receiver read it before the insert
   */
  CallbackResponse processClaimed(
      CallbackRow stored, Lease held, BooleanSupplier retriedByUs, InvocationRow known) {
    Map<String, CallbackRole> progress = progressKeys.of(known.service(), known.operation());
    if (progress.isEmpty()) {
      return traced(known, List.of(stored), held, retriedByUs, progress);
    }
    return runInTurn(known, stored, retriedByUs, progress, false, held);
  }

  private CallbackResponse process(
      CallbackRow stored,
      boolean durable,
      BooleanSupplier retriedByUs,
      @Nullable InvocationRow known,
      boolean recovered) {
    UUID id = stored.invocationId();
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
      if (store.finish(
          id,
          InvocationStatus.TIMED_OUT,
          "Callback timeout reached",
          now,
          new NewEvent(
              id, now, EventKind.TIMED_OUT, "Callback timeout reached at " + inv.deadline()))) {
        telemetry.meters().finished(inv.service(), inv.operation(), InvocationStatus.TIMED_OUT);
        telemetry.tracing().timedOut(inv, "Callback timeout reached at " + inv.deadline());
      }
      inv = store.invocation(id).orElse(inv);
    }
    CallbackResponse refused = refuseIfFinal(inv, stored);
    if (refused != null) {
      return refused;
    }
    Map<String, CallbackRole> progress = progressKeys.of(inv.service(), inv.operation());
    return runInTurn(inv, stored, retriedByUs, progress, recovered, null);
  }

  /**
   * Claims the invocation (unless {@code claimed} is a lease taken already) and runs the handler.
   * For an operation with progress keys the run takes a batch (the invocation's waiting callbacks,
   * oldest first), and a callback that finds the invocation held waits its turn: the run that holds
   * it (or the next one) takes it in its batch, or it claims the invocation itself once free; a run
   * whose batch did not reach it (older callbacks of another key came first) claims again. Recovery
   * does not wait: it polls again.
   */
  private CallbackResponse runInTurn(
      InvocationRow inv,
      CallbackRow stored,
      BooleanSupplier retriedByUs,
      Map<String, CallbackRole> progress,
      boolean recovered,
      @Nullable Lease claimed) {
    UUID id = inv.id();
    long waitUntil = System.nanoTime() + (progress.isEmpty() || recovered ? 0 : lease.toNanos());
    Lease held = claimed;
    boolean fromInsert = claimed != null;
    while (true) {
      if (held == null) {
        if (!liveness.trusted()) {
          // This node cannot show it is alive (its heartbeats have not gone through lately): a
          // lease it took now would be in doubt from the start.
          return CallbackResponse.of(
              503, "This node is catching up, retry later", Map.of("Retry-After", "1"));
        }
        Instant now = clock.instant();
        held = store.claim(id, stored.id(), nodeId, now, now.plus(lease)).orElse(null);
      }
      if (held == null) {
        // Either another callback holds the invocation, or it became final since we read it (a
        // timeout won). Nothing is written for a claim that failed: recovery polls try again.
        InvocationRow again = store.invocation(id).orElse(inv);
        CallbackResponse refused = refuseIfFinal(again, stored);
        if (refused != null) {
          return refused;
        }
        if (!progress.isEmpty()) {
          CallbackRow current = store.callback(stored.id()).orElse(stored);
          if (settledElsewhere(stored, current)) {
            return answerFor(current); // settled in another run's batch
          }
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
        // between our failed claim and this one. (Not after the insert's own claim: no other run
        // could hold the invocation since the callback was stored.)
        CallbackRow current = fromInsert ? stored : store.callback(stored.id()).orElse(stored);
        if (settledElsewhere(stored, current)) {
          store.release(held);
          return answerFor(current);
        }
        batch = batch(current, progress);
      }
      Lease batchLease = held.withBatch(batch.stream().map(CallbackRow::id).toList());
      if (recovered) {
        recovered(batchLease, stored.key());
      }
      // A batch answers several senders, most of whom wait elsewhere: its failure is retried by
      // the runtime.
      CallbackResponse answer =
          traced(inv, batch, batchLease, batch.size() > 1 ? () -> true : retriedByUs, progress);
      if (batchLease.callbackIds().contains(stored.id())) {
        return answer;
      }
      // The run handled older callbacks of the invocation first; this one comes next.
      held = null;
      fromInsert = false;
      inv = store.invocation(id).orElse(inv);
      CallbackResponse refused = refuseIfFinal(inv, stored);
      if (refused != null) {
        return refused;
      }
    }
  }

  /** Whether another run's batch has settled (or tried) this callback since it was read. */
  private static boolean settledElsewhere(CallbackRow read, CallbackRow current) {
    return current.attempts() > read.attempts() || current.outcome() == CallbackOutcome.HANDLED;
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

  /**
   * Runs under the lease in the invocation's trace: under the callback's span when it runs for its
   * sender, else under the stored callout span (durable, retry, recovery, replay; any node).
   */
  private CallbackResponse traced(
      InvocationRow inv,
      List<CallbackRow> batch,
      Lease held,
      BooleanSupplier retriedByUs,
      Map<String, CallbackRole> progress) {
    String key = batch.get(0).key();
    Span span = telemetry.tracing().startHandler(inv, key);
    span.setAttribute(Tracing.BATCH_SIZE, (long) batch.size());
    try (Renewal renewal = new Renewal(held, inv, describe(batch));
        Scope ignored = span.makeCurrent()) {
      CallbackResponse answer = run(inv, batch, held, renewal, retriedByUs, progress);
      span.setAttribute(Tracing.STATUS, (long) answer.status());
      if (answer.status() >= 500) {
        span.setStatus(StatusCode.ERROR, answer.body());
      }
      return answer;
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      throw e;
    } finally {
      span.end();
    }
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

  /** "key", or "3 callbacks of key" for a batch: how events name what a run handled. */
  private static String describe(List<CallbackRow> batch) {
    String key = batch.get(0).key();
    return batch.size() == 1 ? key : batch.size() + " callbacks of " + key;
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
    String what = describe(batch);
    String stays = completes ? "" : "; progress, the invocation stays PENDING";
    Instant now = clock.instant();
    if (inv.handlerType() == null) {
      try {
        NewEvent recorded =
            batch.size() == 1 && completes
                ? recordedEvent(id, now, key)
                : new NewEvent(
                    id,
                    now,
                    EventKind.CALLBACK_RECORDED,
                    "Callback " + what + " recorded for the caller (no handler)" + stays);
        return finish(inv, batch, held, renewal, completes, List.of(recorded));
      } catch (Superseded e) {
        return superseded(inv, stored, held, renewal, e.getMessage());
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
          renewal,
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
    List<ReceivedCallback> given = List.copyOf(callbacks);
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
    boolean[] handlerRan = new boolean[1];
    String outcome = "failed";
    InvocationRow running = inv;
    try {
      try {
        transaction.run(
            call,
            () -> {
              long started = System.nanoTime();
              handlerRan[0] = true;
              renewal.handlerStarts();
              HandlerLeases.set(renewal);
              try {
                handler.onCallback(key, given);
              } catch (Exception | LinkageError | StackOverflowError e) {
                handlerFailure[0] = e;
                throw e;
              } finally {
                HandlerLeases.clear();
                renewal.handlerEnds();
                handlerNanos[0] = System.nanoTime() - started;
              }
            },
            () ->
                finish(
                    running,
                    batch,
                    held,
                    renewal,
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
                                + stays))));
        outcome = "handled";
      } catch (Exception | LinkageError | StackOverflowError e) {
        Throwable cause = handlerFailure[0];
        if (cause instanceof CallbackNotHandledException) {
          outcome = "not-handled";
        }
        Superseded refused = supersededIn(e);
        if (refused != null) {
          return superseded(inv, stored, held, renewal, refused.getMessage());
        }
        if (cause == null) {
          return storeFailed(inv, stored, held, e);
        }
        String lost = renewal.lost();
        if (lost != null) {
          // The handler was interrupted (or failed) after its lease was lost: not its answer.
          return superseded(inv, stored, held, renewal, lost);
        }
        if (cause instanceof CallbackNotHandledException nh) {
          String message = nh.getMessage();
          if (!store.settleCallback(
              held,
              Settlement.DECLINED.outcome(),
              404,
              message,
              new NewEvent(id, clock.instant(), Settlement.DECLINED.event(), message))) {
            return superseded(
                inv, stored, held, renewal, "the lease was taken over before the outcome");
          }
          return CallbackResponse.of(404, message);
        }
        return failed(
            inv,
            stored,
            held,
            renewal,
            retriedByUs,
            "Handler " + inv.handlerType() + " failed on " + what + ": " + summary(cause));
      }
      return CallbackResponse.of(200, "Callback handled");
    } finally {
      if (handlerRan[0]) {
        telemetry
            .meters()
            .handlerRan(inv.service(), inv.operation(), key, outcome, handlerNanos[0]);
        Span.current().setAttribute(Tracing.OUTCOME, outcome);
      }
    }
  }

  /**
   * A run that lost its lease: another run has the callback (or will, once recovery finds it), so
   * this one's outcome is not recorded; the event says so (once: the watchdog may have written it
   * already). The lease is given back in case nobody else took it (this node was only slow to
   * heartbeat): it is released only while its fence still holds. The sender is told to try again,
   * and a repeat is answered with the outcome of the run that holds the lease.
   */
  private CallbackResponse superseded(
      InvocationRow inv, CallbackRow stored, Lease held, Renewal renewal, String reason) {
    renewal.recordSuperseded(reason);
    try {
      store.release(held);
    } catch (RuntimeException e) {
      log.debug("Superseded lease of invocation {} not released: {}", inv.id(), e.toString());
      unreleased.add(held);
    }
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

  /** What a callback recorded without a handler writes into its invocation's log. */
  static NewEvent recordedEvent(UUID invocationId, Instant at, String key) {
    return new NewEvent(
        invocationId,
        at,
        EventKind.CALLBACK_RECORDED,
        "Callback " + key + " recorded for the caller (no handler)");
  }

  /** The last event of an invocation a callback completed. */
  static NewEvent completedEvent(UUID invocationId, Instant at, String key) {
    return new NewEvent(invocationId, at, EventKind.COMPLETED, "Completed by callback " + key);
  }

  /**
   * Records a handled batch: the invocation completed by its final callback, or, for progress
   * callbacks, left PENDING with the lease given back.
   */
  private CallbackResponse finish(
      InvocationRow inv,
      List<CallbackRow> batch,
      Lease held,
      Renewal renewal,
      boolean completes,
      List<NewEvent> events) {
    String lost = renewal.lost();
    if (lost != null) {
      // Recorded as superseded already; the fence may still hold (nobody took the lease yet), but
      // this run's outcome no longer counts.
      throw new Superseded(lost);
    }
    Instant at = clock.instant();
    if (!completes) {
      if (!store.recordProgress(held, at, events)) {
        throw new Superseded("the lease was taken over before the progress could commit");
      }
      return CallbackResponse.of(200, "Callback handled");
    }
    List<NewEvent> all = new ArrayList<>(events);
    all.add(completedEvent(inv.id(), at, batch.get(batch.size() - 1).key()));
    if (!store.completeWithCallback(held, at, all)) {
      // Thrown, not returned: inside a handler transaction this rolls the handler's writes back.
      throw new Superseded("the lease was taken over before the completion could commit");
    }
    // PENDING when claimed; a cancellation racing the run leaves it CANCELLED and is counted too
    // (rare: the lease keeps the sweeper away, not a cancel)
    telemetry.meters().finished(inv.service(), inv.operation(), InvocationStatus.COMPLETED);
    return CallbackResponse.of(200, "Callback handled");
  }

  private CallbackResponse failed(
      InvocationRow inv,
      CallbackRow stored,
      Lease held,
      Renewal renewal,
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
        return superseded(
            inv, stored, held, renewal, "the lease was taken over before the outcome");
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
      return superseded(inv, stored, held, renewal, "the lease was taken over before the outcome");
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
   * Keeps a run's lease while it lasts, and knows until when it certainly lasts. It renews the
   * lease every heartbeat interval (at most a third of the lease) and, by the monotonic clock,
   * holds the lease for certain until the earlier of: the last renewal that went through, counted
   * from when it was sent, plus the lease less a fifth; and the node's last heartbeat that went
   * through plus the node timeout less its margin ({@link Liveness}). The watchdog drops the run
   * when that passes, as when a renewal finds the lease taken over: it records why (once, the run
   * superseded) and interrupts the handler if it is still running. The fence, not this, is what
   * refuses a superseded run's writes to the store; this stops the run's other effects.
   */
  private final class Renewal implements AutoCloseable, HandlerLease {
    private static final int IDLE = 0;
    private static final int HANDLER_RUNNING = 1;
    private static final int INTERRUPTED = 2;

    private final Lease held;
    private final InvocationRow inv;
    private final String key;
    private final Thread runner = Thread.currentThread();
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final AtomicBoolean recorded = new AtomicBoolean();
    private final ScheduledFuture<?> task;
    private final long leaseWindowNanos = lease.minus(lease.dividedBy(5)).toNanos();
    private volatile long renewedUntilNanos;
    private volatile @Nullable String lost;

    Renewal(Lease held, InvocationRow inv, String key) {
      this.held = held;
      this.inv = inv;
      this.key = key;
      // The claim was sent before now: counting from here errs on the side of the lease's end.
      this.renewedUntilNanos = System.nanoTime() + leaseWindowNanos;
      // Every third of the lease, as the window below is four fifths of it: two renewals may fail
      // before it binds. More often would only load the store (one statement per run): while the
      // node's heartbeats go through, they, not the renewals, bound how long the lease is certain.
      long period = Math.max(1, lease.toMillis() / 3);
      this.task = renewals.scheduleWithFixedDelay(this::renew, period, period, MILLISECONDS);
      active.add(this);
    }

    private void renew() {
      if (lost != null) {
        return;
      }
      long sent = System.nanoTime();
      try {
        if (store.renew(held, clock.instant().plus(lease))) {
          renewedUntilNanos = sent + leaseWindowNanos;
          return;
        }
        lose("a renewal found the lease taken over (the node was silent for too long)");
      } catch (RuntimeException e) {
        log.warn("Lease of invocation {} not renewed now: {}", held.invocationId(), e.toString());
      }
    }

    /** Until when (by the monotonic clock) the lease is certainly this run's. */
    private long trustedUntilNanos() {
      long until = renewedUntilNanos;
      if (liveness.bounded()) {
        long node = liveness.trustedUntilNanos();
        if (node - until < 0) {
          until = node;
        }
      }
      return until;
    }

    void check(long now) {
      if (lost == null && now - trustedUntilNanos() >= 0) {
        lose(
            liveness.bounded() && now - liveness.trustedUntilNanos() >= 0
                ? "no heartbeat of node "
                    + nodeId
                    + " went through for longer than the node timeout less its margin (paused or"
                    + " starved): another node may have taken the callback over"
                : "no renewal went through for longer than the lease less a fifth");
      }
    }

    void lose(String reason) {
      if (lost != null) {
        return;
      }
      lost = reason;
      task.cancel(false);
      if (state.compareAndSet(HANDLER_RUNNING, INTERRUPTED)) {
        runner.interrupt();
      }
      // Recorded at once rather than when the handler returns, which it may take its time to do.
      Thread.ofVirtual().name("extsvc-superseded").start(() -> recordSuperseded(reason));
    }

    /** The HANDLER_SUPERSEDED event, written once per run. */
    void recordSuperseded(String reason) {
      if (!recorded.compareAndSet(false, true)) {
        return;
      }
      log.warn(
          "Invocation {}: the run of callback {} on node {} was superseded: {}",
          inv.id(),
          key,
          nodeId,
          reason);
      try {
        store.appendEvent(
            new NewEvent(
                inv.id(),
                clock.instant(),
                EventKind.HANDLER_SUPERSEDED,
                "Handler "
                    + inv.handlerType()
                    + " of "
                    + key
                    + " on node "
                    + nodeId
                    + " lost its lease (fence "
                    + held.fence()
                    + "): "
                    + reason
                    + "; its outcome is not recorded"));
      } catch (RuntimeException e) {
        log.warn("HANDLER_SUPERSEDED of invocation {} not recorded: {}", inv.id(), e.toString());
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
    public boolean held() {
      return lost == null && System.nanoTime() - trustedUntilNanos() < 0;
    }

    @Override
    public long fence() {
      return held.fence();
    }

    @Override
    public UUID invocationId() {
      return held.invocationId();
    }

    @Override
    public void close() {
      task.cancel(false);
      active.remove(this);
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
