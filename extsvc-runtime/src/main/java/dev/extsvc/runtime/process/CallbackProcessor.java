package dev.extsvc.runtime.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CallbackNotHandledException;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.HandlerTransaction;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.runtime.support.Json;
import dev.extsvc.spec.RequestParts;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the handler of one stored callback, once: under a lease on its invocation (so no timeout and
 * no other callback of the same invocation interleaves), then records the outcome. Shared by the
 * synchronous answer path, the durable queue, recovery after a crash, and replays.
 */
final class CallbackProcessor {
  private static final Logger log = LoggerFactory.getLogger(CallbackProcessor.class);
  private static final String UNKNOWN = CallbackWorker.UNKNOWN;

  private final Store store;
  private final InstantSource clock;
  private final Handlers handlers;
  private final HandlerTransaction transaction;
  private final RetryPolicy retries;
  private final Duration lease;

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

  CallbackProcessor(CallbackWorker.Context context) {
    this.store = context.store();
    this.clock = context.clock();
    this.handlers = context.handlers();
    this.transaction = context.handlerTransaction();
    this.retries =
        new RetryPolicy(context.maxAttempts(), context.firstRetryDelay(), context.maxRetryDelay());
    this.lease = context.callbackLease();
  }

  /**
   * Processes a stored callback; returns what its sender is (or would have been) answered.
   *
   * @param durable whether the callback was accepted already (DURABLE): a handler failure schedules
   *     a retry
   */
  CallbackResponse process(CallbackRow stored, boolean durable) {
    return process(stored, durable, () -> durable, null);
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
    if (!store.claim(id, stored.id(), now, now.plus(lease))) {
      // Either another callback holds the invocation, or it became final since we read it (a
      // timeout won).
      InvocationRow again = store.invocation(id).orElse(inv);
      refused = refuseIfFinal(again, stored);
      return refused != null
          ? refused
          : CallbackResponse.of(
              503,
              "Another callback of this invocation is being handled, retry later",
              Map.of("Retry-After", "1"));
    }
    if (inv.handlerType() == null) {
      return complete(
          inv,
          stored,
          List.of(
              new NewEvent(
                  id,
                  now,
                  EventKind.CALLBACK_RECORDED,
                  "Callback " + key + " recorded for the caller (no handler)")));
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
          retriedByUs,
          "handler " + inv.handlerType() + " could not be re-created: " + summary(e));
    }
    JsonNode body = stored.body().isBlank() ? null : Json.readTrusted(stored.body());
    ReceivedCallback callback =
        new ReceivedCallback(
            id,
            key,
            stored.method(),
            RequestParts.fromJson(Json.readTrusted(inv.request())),
            inv.submitTime(),
            inv.deadline(),
            inv.status(),
            stored.receivedAt(),
            headerMap(stored.headers()),
            body);
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
    try {
      transaction.run(
          call,
          () -> {
            long started = System.nanoTime();
            try {
              handler.onCallback(key, List.of(callback));
            } catch (Exception | LinkageError | StackOverflowError e) {
              handlerFailure[0] = e;
              throw e;
            } finally {
              handlerNanos[0] = System.nanoTime() - started;
            }
          },
          () ->
              complete(
                  running,
                  stored,
                  List.of(
                      new NewEvent(
                          id,
                          clock.instant(),
                          EventKind.HANDLER_OK,
                          "Handler "
                              + running.handlerType()
                              + " handled "
                              + key
                              + " in "
                              + String.format("%.1f", handlerNanos[0] / 1_000_000.0)
                              + " ms"))));
    } catch (Exception | LinkageError | StackOverflowError e) {
      Throwable cause = handlerFailure[0];
      if (cause == null) {
        return storeFailed(inv, stored, e);
      }
      if (cause instanceof CallbackNotHandledException nh) {
        settle(stored, Settlement.DECLINED, 404, nh.getMessage(), nh.getMessage());
        store.release(id, stored.id());
        return CallbackResponse.of(404, nh.getMessage());
      }
      return failed(
          inv,
          stored,
          retriedByUs,
          "Handler " + inv.handlerType() + " failed on " + key + ": " + summary(cause));
    }
    return CallbackResponse.of(200, "Callback handled");
  }

  /**
   * The completion or its commit failed after the handler ran: nothing of the unit of work stays,
   * so the callback is still RECEIVED and its sender (or recovery) tries again; answered 503 by the
   * receiver.
   */
  private CallbackResponse storeFailed(InvocationRow inv, CallbackRow stored, Throwable e) {
    try {
      store.release(inv.id(), stored.id());
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

  /** The answer for a callback whose invocation is already final, or null while it is PENDING. */
  private @Nullable CallbackResponse refuseIfFinal(InvocationRow inv, CallbackRow stored) {
    String key = stored.key();
    switch (inv.status()) {
      case COMPLETED -> {
        settle(
            stored,
            Settlement.REFUSED,
            409,
            "invocation already completed",
            "Callback " + key + " arrived after the invocation completed; handler not run");
        return CallbackResponse.of(409, "Invocation already completed");
      }
      case CANCELLED -> {
        settle(
            stored,
            Settlement.REFUSED,
            404,
            "invocation cancelled",
            "Callback " + key + " arrived after the invocation was cancelled; handler not run");
        return CallbackResponse.of(404, UNKNOWN);
      }
      case TIMED_OUT -> {
        settle(
            stored,
            Settlement.REFUSED,
            408,
            "callback timeout reached",
            "Callback " + key + " arrived after the callback timeout; handler not run");
        return CallbackResponse.of(408, "Callback timeout reached");
      }
      default -> {
        return null;
      }
    }
  }

  private CallbackResponse complete(InvocationRow inv, CallbackRow stored, List<NewEvent> events) {
    Instant at = clock.instant();
    List<NewEvent> all = new ArrayList<>(events);
    all.add(
        new NewEvent(inv.id(), at, EventKind.COMPLETED, "Completed by callback " + stored.key()));
    store.completeWithCallback(stored.id(), inv.id(), at, all);
    return CallbackResponse.of(200, "Callback handled");
  }

  private CallbackResponse failed(
      InvocationRow inv, CallbackRow stored, BooleanSupplier retriedByUs, String error) {
    Instant now = clock.instant();
    log.warn("Invocation {}: {}", inv.id(), error);
    if (!retriedByUs.getAsBoolean()) {
      settle(stored, Settlement.FAILED, 500, error, error + "; the invocation stays PENDING");
      store.release(inv.id(), stored.id());
      return CallbackResponse.of(500, "Callback handler failed");
    }
    int attempt = stored.attempts() + 1;
    if (attempt >= retries.maxAttempts()) {
      store.scheduleRetry(
          stored.id(),
          inv.id(),
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
      store.scheduleRetry(
          stored.id(),
          inv.id(),
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
    return CallbackResponse.of(500, "Callback handler failed");
  }

  private void settle(
      CallbackRow stored, Settlement settlement, int code, String error, String message) {
    store.updateCallback(
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
