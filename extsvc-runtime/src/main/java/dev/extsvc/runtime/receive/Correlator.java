package dev.extsvc.runtime.receive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.process.CallbackWorker;
import dev.extsvc.runtime.registry.OperationPlan;
import dev.extsvc.runtime.registry.ServicePlan;
import dev.extsvc.runtime.store.CallbackInsert;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.CorrelationValue;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.support.Json;
import dev.extsvc.runtime.support.UuidV7;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.Correlation;
import dev.extsvc.spec.ExpressionContext;
import dev.extsvc.spec.RequestParts;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Correlation by business key: records an invocation's values when they are known (its request and
 * its synchronous answer, once the callout returned), holds the callbacks that arrive at the shared
 * address before any invocation holds their value, delivers them as soon as one does, and gives up
 * those still unmatched when their hold ends (dead, listed, replayable).
 */
public final class Correlator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Correlator.class);

  /** How long an early callback is held unless configured otherwise. */
  public static final Duration DEFAULT_EARLY_HOLD = Duration.ofMinutes(10);

  private static final int EXPIRE_BATCH = 500;

  /**
   * What correlation needs, fixed by the builder.
   *
   * @param plans the plan of a registered service having the operation (any operation: null)
   * @param earlyHold how long an early callback is held for its invocation
   * @param interval how often held callbacks past their hold are given up
   * @param heartbeats moves a deadline for a heartbeat key's callback, as at the callback's arrival
   */
  public record Context(
      Store store,
      InstantSource clock,
      BiFunction<String, @Nullable String, @Nullable ServicePlan> plans,
      CallbackWorker worker,
      Duration earlyHold,
      Duration interval,
      CallbackIntake.Heartbeats heartbeats) {}

  private final Context context;
  private final ScheduledExecutorService expiry =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "extsvc-early-callbacks");
            t.setDaemon(true);
            return t;
          });

  public Correlator(Context context) {
    if (context.earlyHold().isNegative() || context.earlyHold().isZero()) {
      throw new IllegalArgumentException("earlyCallbackHold must be positive");
    }
    this.context = context;
  }

  /** Gives up due early callbacks every interval. */
  public void start() {
    long every = context.interval().toMillis();
    expiry.scheduleWithFixedDelay(
        () -> {
          try {
            expire();
          } catch (RuntimeException e) {
            log.warn("Early callbacks could not be expired now: {}", e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    expiry.shutdownNow();
  }

  /**
   * Records the correlation values of a successful invocation (those of its request and of its
   * answer) and delivers the early callbacks already held for them.
   *
   * @param url the URL called
   */
  public void recordAnswered(
      String service,
      String operation,
      UUID invocationId,
      String url,
      String method,
      RequestParts sent,
      int status,
      Map<String, List<String>> headers,
      @Nullable String body) {
    ServicePlan plan = context.plans().apply(service, operation);
    OperationPlan op = plan == null ? null : plan.operation(operation).orElse(null);
    if (op == null) {
      return;
    }
    Map<String, Correlation> rules = rules(op);
    if (rules.isEmpty()) {
      return;
    }
    Map<String, String> single = new LinkedHashMap<>();
    headers.forEach((k, v) -> single.put(k, v.isEmpty() ? "" : v.get(0)));
    ExpressionContext answered =
        new ExpressionContext(url, method, sent, status, single, parse(body));
    Instant now = context.clock().instant();
    List<CorrelationValue> values = new ArrayList<>();
    List<NewEvent> events = new ArrayList<>();
    rules.forEach(
        (key, rule) -> {
          String value = rule.invocationValue(answered);
          if (value == null) {
            events.add(
                new NewEvent(
                    invocationId,
                    now,
                    EventKind.CALLBACK_URL,
                    "No correlation value for "
                        + key
                        + ": "
                        + rule.invocation()
                        + " is absent, so its callbacks cannot be matched to this invocation"));
          } else {
            values.add(new CorrelationValue(operation, key, value));
            events.add(
                new NewEvent(
                    invocationId,
                    now,
                    EventKind.CALLBACK_URL,
                    "Callbacks "
                        + key
                        + " awaited at the shared address /services/"
                        + service
                        + " by correlation: "
                        + rule.callback()
                        + " = '"
                        + value
                        + "' ("
                        + rule.invocation()
                        + ")"));
          }
        });
    context.store().recordCorrelations(invocationId, service, values, events);
    for (CorrelationValue v : values) {
      deliverHeld(service, v);
    }
  }

  /** The correlation rule of each correlated key of an operation, in declaration order. */
  static Map<String, Correlation> rules(OperationPlan op) {
    Map<String, Correlation> rules = new LinkedHashMap<>();
    for (CallbackDefinition def : op.operation().callbacks()) {
      Correlation c = def.correlation();
      if (c != null && def.awaitableByCorrelation()) {
        rules.putIfAbsent(def.key(), c);
      }
    }
    return rules;
  }

  /**
   * Holds a callback that matched no invocation; a repeat of one held is the same row.
   *
   * @return the row as held
   */
  EarlyCallbackRow hold(
      String service,
      String operation,
      String key,
      String value,
      String method,
      String headers,
      String body,
      String dedupKey,
      Instant now) {
    EarlyCallbackRow held =
        context
            .store()
            .holdEarlyCallback(
                new EarlyCallbackRow(
                    UuidV7.at(now),
                    service,
                    operation,
                    key,
                    value,
                    now,
                    method,
                    headers,
                    body,
                    dedupKey,
                    now.plus(context.earlyHold()),
                    null,
                    null));
    // The invocation may have recorded the value between our lookup and this hold: deliver now
    // rather than at the end of the hold.
    deliverHeld(service, new CorrelationValue(operation, key, value));
    return held;
  }

  /**
   * Delivers the held early callbacks of this value to the oldest PENDING invocation holding it;
   * how many were delivered.
   */
  int deliverHeld(String service, CorrelationValue v) {
    List<EarlyCallbackRow> held =
        context.store().heldEarlyCallbacks(service, v.operation(), v.key(), v.value());
    if (held.isEmpty()) {
      return 0;
    }
    List<InvocationRow> invocations =
        context.store().invocationsByCorrelation(service, v.operation(), v.key(), v.value(), 1);
    if (invocations.isEmpty() || invocations.get(0).status() != InvocationStatus.PENDING) {
      return 0;
    }
    InvocationRow inv = invocations.get(0);
    int delivered = 0;
    for (EarlyCallbackRow early : held) {
      if (deliver(early, inv)) {
        delivered++;
      }
    }
    return delivered;
  }

  private boolean deliver(EarlyCallbackRow early, InvocationRow inv) {
    Instant now = context.clock().instant();
    CallbackRow row =
        new CallbackRow(
            UuidV7.at(now),
            inv.id(),
            early.key(),
            early.receivedAt(),
            early.method(),
            early.headers(),
            early.body(),
            early.dedupKey(),
            CallbackOutcome.RECEIVED,
            null,
            0,
            null);
    Optional<CallbackInsert> insert =
        context
            .store()
            .deliverEarlyCallback(
                early.id(),
                row,
                new NewEvent(
                    inv.id(),
                    now,
                    EventKind.CALLBACK_RECEIVED,
                    early.method()
                        + " callback "
                        + early.key()
                        + " arrived early at the shared address ("
                        + early.receivedAt()
                        + ", before this invocation held its value) and was held; delivered now"));
    if (insert.isEmpty()) {
      return false; // another node delivered it, or it died meanwhile
    }
    if (!insert.get().duplicate()) {
      beatIfHeartbeat(inv, early);
      context.worker().submit(insert.get().row());
    }
    return true;
  }

  /**
   * A heartbeat key's callback moves the deadline when it is delivered from the hold as when it
   * arrives directly, counted from its arrival: the sender was alive then.
   */
  private void beatIfHeartbeat(InvocationRow inv, EarlyCallbackRow early) {
    ServicePlan plan = context.plans().apply(inv.service(), inv.operation());
    CallbackRole role =
        plan == null
            ? CallbackRole.FINAL
            : plan.operation(inv.operation())
                .map(o -> o.role(early.key()))
                .orElse(CallbackRole.FINAL);
    Duration every = role.heartbeat();
    if (every == null) {
      return;
    }
    try {
      context.heartbeats().beat(inv.id(), early.key(), every, early.receivedAt());
    } catch (RuntimeException e) {
      log.warn(
          "Invocation {}: heartbeat of {} not applied: {}", inv.id(), early.key(), e.toString());
    }
  }

  /** How long an early callback is held for its invocation before it is dead. */
  public Duration earlyHold() {
    return context.earlyHold();
  }

  /** Gives up the held callbacks whose hold ended; how many. */
  public int expire() {
    Instant now = context.clock().instant();
    List<EarlyCallbackRow> dead = context.store().expireEarlyCallbacks(now, EXPIRE_BATCH);
    for (EarlyCallbackRow e : dead) {
      log.warn(
          "Early callback {} ({} callback {} of {}) matched no invocation within {}: dead; replay"
              + " it to hold it again",
          e.id(),
          e.method(),
          e.key(),
          e.service(),
          context.earlyHold());
    }
    return dead.size();
  }

  /**
   * Replays a dead early callback: held again for the hold time and delivered at once when an
   * invocation holds its value now. Empty when there is no such early callback.
   */
  public Optional<CallbackResponse> replay(UUID id) {
    Optional<EarlyCallbackRow> found = context.store().earlyCallback(id);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    EarlyCallbackRow early = found.get();
    if (early.deliveredTo() != null) {
      return Optional.of(
          CallbackResponse.of(
              409, "Early callback already delivered to invocation " + early.deliveredTo()));
    }
    if (early.dead()) {
      context
          .store()
          .holdEarlyCallbackAgain(id, context.clock().instant().plus(context.earlyHold()));
    }
    int delivered =
        deliverHeld(
            early.service(), new CorrelationValue(early.operation(), early.key(), early.value()));
    return Optional.of(
        delivered > 0
            ? CallbackResponse.of(200, "Early callback delivered")
            : CallbackResponse.of(
                202, "Early callback held again until " + context.earlyHold() + " from now"));
  }

  private static @Nullable JsonNode parse(@Nullable String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (
        com.fasterxml.jackson.core.JsonProcessingException
            e) { // an answer that is not JSON has no body values to correlate on
      return null;
    }
  }
}
