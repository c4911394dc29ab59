package dev.extsvc.runtime.alert;

import dev.extsvc.runtime.Alert;
import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.store.AlertRow;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.support.UuidV7;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the alert rules every interval and keeps the alerts: one fires when its condition starts
 * to hold, is updated while it holds and resolves when it stops, each state change posted once.
 *
 * <p>The alerts live in the store, for the whole cluster and across restarts: every node checks,
 * and an alert is fired by the node whose insert of (rule, subject) as firing wins, and resolved by
 * the first node that sees it clear; that node posts the change. A post the webhook did not take is
 * tried again later (by any node, after a restart too) without firing again: the store keeps each
 * post's attempts, last error and when it is due. A node's own store errors cannot be written to
 * the store that fails: those alerts stay in the node's memory and it posts them itself.
 */
public final class AlertMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertMonitor.class);

  /** How many resolved alerts are shown (API and console). */
  static final int RESOLVED_KEPT = 50;

  /** How many resolved alerts the store keeps: the newest, the others deleted as alerts resolve. */
  static final int HISTORY_KEPT = 500;

  /**
   * How long a node posting an alert holds its delivery: another node (or this one restarted) takes
   * it over only after that. A round of posts lasts at most about 35 s.
   */
  static final Duration POSTING = Duration.ofMinutes(2);

  /** When a round of posts failed, the next one is due this much later. */
  static final Duration RETRY_AFTER = Duration.ofMinutes(5);

  /** After this many attempts (four rounds) a post is given up. */
  static final int MAX_ATTEMPTS = 4 * (AlertPoster.RETRY_DELAYS.size() + 1);

  private static final String NO_WEBHOOK = "not sent: no webhook configured";

  /**
   * What the monitor needs, fixed by the builder.
   *
   * @param consoleBase the public address of the console's invocation pages (an id is appended)
   * @param http the client webhook posts go through, null for a default one
   */
  public record Context(
      Store store,
      InstantSource clock,
      String nodeId,
      Duration nodeTimeout,
      AlertRules rules,
      Supplier<String> consoleBase,
      @Nullable HttpClient http) {}

  /** A node this node removed as dead, and how many nodes were alive with it. */
  private record Gone(NodeRow node, int aliveBefore) {}

  private final Store store;
  private final InstantSource clock;
  private final String nodeId;
  private final Duration nodeTimeout;
  private final AlertRules rules;
  private final Conditions conditions;
  private final Supplier<String> consoleBase;
  private final @Nullable HttpClient http;
  private final Object checking = new Object();
  // This node's own alerts (its store errors): kept here, since the store is what fails.
  private final Map<Condition.Key, Alert> localFiring = new LinkedHashMap<>();
  private final Deque<Alert> localResolved = new ArrayDeque<>();
  // The store's alerts as last read, shown while the store does not answer.
  private List<Alert> storedFiring = List.of();
  private List<Alert> storedResolved = List.of();
  private final Map<String, Gone> gone = new ConcurrentHashMap<>();
  private @Nullable AlertPoster poster;
  private @Nullable ScheduledExecutorService executor;

  public AlertMonitor(Context context) {
    this.store = context.store();
    this.clock = context.clock();
    this.nodeId = context.nodeId();
    this.nodeTimeout = context.nodeTimeout();
    this.rules = context.rules();
    this.conditions = new Conditions(store, rules, nodeId);
    this.consoleBase = context.consoleBase();
    this.http = context.http();
  }

  /** Checks every interval from now on, when any rule is on. */
  public synchronized void start() {
    if (!rules.any() || executor != null) {
      return;
    }
    ScheduledExecutorService e =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "extsvc-alerts");
              t.setDaemon(true);
              return t;
            });
    long millis = rules.every().toMillis();
    e.scheduleWithFixedDelay(this::checkQuietly, millis, millis, TimeUnit.MILLISECONDS);
    executor = e;
  }

  /** The alerts firing now in the cluster (and this node's own), oldest first. */
  public List<Alert> firing() {
    List<Alert> all = new ArrayList<>(readFiring());
    synchronized (this) {
      all.addAll(localFiring.values());
    }
    all.sort(Comparator.comparing(Alert::firedAt).thenComparing(Alert::id));
    return List.copyOf(all);
  }

  /** The latest resolved alerts, newest first (at most {@value #RESOLVED_KEPT}). */
  public List<Alert> resolved() {
    List<Alert> all = new ArrayList<>(readResolved());
    synchronized (this) {
      all.addAll(localResolved);
    }
    all.sort(
        Comparator.comparing((Alert a) -> Objects.requireNonNull(a.resolvedAt()))
            .thenComparing(Alert::id)
            .reversed());
    return List.copyOf(all.subList(0, Math.min(all.size(), RESOLVED_KEPT)));
  }

  private List<Alert> readFiring() {
    try {
      List<Alert> read = store.firingAlerts().stream().map(AlertMonitor::alert).toList();
      synchronized (this) {
        storedFiring = read;
      }
      return read;
    } catch (RuntimeException e) {
      synchronized (this) {
        return storedFiring;
      }
    }
  }

  private List<Alert> readResolved() {
    try {
      List<Alert> read =
          store.resolvedAlerts(RESOLVED_KEPT).stream().map(AlertMonitor::alert).toList();
      synchronized (this) {
        storedResolved = read;
      }
      return read;
    } catch (RuntimeException e) {
      synchronized (this) {
        return storedResolved;
      }
    }
  }

  /** Dead nodes this node just removed: each is an alert until the cluster is whole again. */
  public void nodesRemoved(List<NodeRow> removed, int aliveNow) {
    if (!rules.nodeGone()) {
      return;
    }
    for (NodeRow node : removed) {
      gone.put(node.id(), new Gone(node, aliveNow + removed.size()));
    }
  }

  /**
   * Checks every rule now and fires, updates and resolves alerts accordingly; then posts what is
   * due of earlier posts the webhook did not take.
   */
  public void check() {
    synchronized (checking) {
      Instant now = clock.instant();
      Conditions.Found found = conditions.check(now);
      List<Condition> holding = new ArrayList<>(found.holding());
      List<NodeRow> nodes = null;
      try {
        nodes = store.nodes();
      } catch (RuntimeException e) {
        // Without the store no node is known; this node's own alerts still go out.
      }
      Set<String> cleared = new HashSet<>();
      Set<String> alive = new HashSet<>();
      if (nodes != null) {
        List<NodeRow> live =
            nodes.stream().filter(n -> n.heartbeatAt().isAfter(now.minus(nodeTimeout))).toList();
        live.forEach(n -> alive.add(n.id()));
        holding.addAll(goneNodes(live, cleared));
      }
      Map<Condition.Key, Condition> byKey = new LinkedHashMap<>();
      holding.forEach(c -> byKey.put(c.key(), c));
      checkLocal(now, byKey, found);
      try {
        checkStored(now, byKey, found, nodes != null, alive, cleared);
        postDue(now);
      } catch (RuntimeException e) {
        // The store failed between the rules' reads and these writes: the next check tries again,
        // and the store-errors rule tells if it keeps failing.
        log.warn("Alerts could not be kept in the store this time: {}", e.toString());
      }
    }
  }

  /** This node's own alerts (its store errors), kept in memory and posted directly. */
  private void checkLocal(
      Instant now, Map<Condition.Key, Condition> byKey, Conditions.Found found) {
    List<Alert> changed = new ArrayList<>();
    synchronized (this) {
      for (Condition c : byKey.values()) {
        if (!isLocal(c.rule())) {
          continue;
        }
        Alert current = localFiring.get(c.key());
        if (current == null) {
          Alert fired =
              new Alert(
                  UuidV7.at(now).toString(),
                  c.rule(),
                  c.subject(),
                  c.summary(),
                  c.invocations(),
                  now,
                  null,
                  rules.webhook() == null ? NO_WEBHOOK : "sending");
          localFiring.put(c.key(), fired);
          changed.add(fired);
          log.warn("Alert {} firing ({}): {}", c.rule().label(), c.subject(), c.summary());
        } else {
          localFiring.put(c.key(), with(current, c.summary(), c.invocations(), null, null));
        }
      }
      for (var it = localFiring.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        if (byKey.containsKey(e.getKey()) || !found.checked().contains(e.getKey().rule())) {
          continue;
        }
        it.remove();
        Alert a = e.getValue();
        Alert done =
            with(
                a,
                a.summary(),
                a.invocations(),
                now,
                rules.webhook() == null ? NO_WEBHOOK : "sending");
        localResolved.addFirst(done);
        while (localResolved.size() > RESOLVED_KEPT) {
          localResolved.removeLast();
        }
        changed.add(done);
        log.info("Alert {} resolved ({})", a.rule().label(), a.subject());
      }
    }
    AlertPoster p = poster();
    if (p != null) {
      for (Alert a : changed) {
        p.post(a, delivery -> setLocalDelivery(a.id(), a.firing(), delivery));
      }
    }
  }

  /** The cluster's alerts, kept in the store. */
  private void checkStored(
      Instant now,
      Map<Condition.Key, Condition> byKey,
      Conditions.Found found,
      boolean nodesKnown,
      Set<String> alive,
      Set<String> cleared) {
    Map<Condition.Key, AlertRow> stored = new LinkedHashMap<>();
    for (AlertRow a : store.firingAlerts()) {
      Alert.Rule rule = rule(a.rule());
      if (rule != null) {
        stored.put(new Condition.Key(rule, a.subject()), a);
      }
    }
    for (Condition c : byKey.values()) {
      if (isLocal(c.rule())) {
        continue;
      }
      AlertRow current = stored.get(c.key());
      if (current == null) {
        AlertRow fired =
            new AlertRow(
                UuidV7.at(now),
                c.rule().label(),
                c.subject(),
                c.summary(),
                c.invocations(),
                now,
                nodeId,
                null,
                null,
                posting(now));
        if (store.fireAlert(fired)) {
          log.warn("Alert {} firing ({}): {}", c.rule().label(), c.subject(), c.summary());
          post(fired);
        }
      } else if (!current.summary().equals(c.summary())
          || !current.invocations().equals(c.invocations())) {
        store.updateAlert(current.id(), c.summary(), c.invocations());
      }
    }
    for (var e : stored.entrySet()) {
      Condition.Key key = e.getKey();
      AlertRow a = e.getValue();
      if (byKey.containsKey(key) || !clear(key, a, found, nodesKnown, alive, cleared)) {
        continue;
      }
      if (store.resolveAlert(a.id(), now, nodeId, posting(now), HISTORY_KEPT)) {
        log.info("Alert {} resolved ({})", a.rule(), a.subject());
        post(
            new AlertRow(
                a.id(),
                a.rule(),
                a.subject(),
                a.summary(),
                a.invocations(),
                a.firedAt(),
                a.firedBy(),
                now,
                nodeId,
                posting(now)));
      }
    }
  }

  /**
   * Whether a stored alert that no condition holds for is clear: its rule was checked. A node-gone
   * alert is clear for the node that found the node gone once the cluster is whole again, for any
   * node once the gone node is back, or once the node that fired it is gone too (nobody tracks it
   * then; its own node-gone alert follows).
   */
  private static boolean clear(
      Condition.Key key,
      AlertRow a,
      Conditions.Found found,
      boolean nodesKnown,
      Set<String> alive,
      Set<String> cleared) {
    if (key.rule() != Alert.Rule.NODE_GONE) {
      return found.checked().contains(key.rule());
    }
    return nodesKnown
        && (cleared.contains(a.subject())
            || alive.contains(a.subject())
            || !alive.contains(a.firedBy()));
  }

  /**
   * Posts the deliveries that are due: earlier posts the webhook did not take, or a dead node's.
   */
  private void postDue(Instant now) {
    if (rules.webhook() == null) {
      return;
    }
    for (AlertRow a : store.claimAlertDeliveries(now, now.plus(POSTING), 20)) {
      post(a);
    }
  }

  private AlertRow.Delivery posting(Instant now) {
    return rules.webhook() == null
        ? new AlertRow.Delivery(NO_WEBHOOK, 0, null, null)
        : new AlertRow.Delivery("sending", 0, null, now.plus(POSTING));
  }

  /** Posts the stored alert's current state in the background and records the round. */
  private void post(AlertRow row) {
    AlertPoster p = poster();
    if (p == null) {
      return;
    }
    AlertRow.Delivery before = row.delivery();
    p.postRound(
        alert(row),
        round -> {
          int attempts = before.attempts() + round.attempts();
          AlertRow.Delivery after;
          if (round.sent()) {
            after = new AlertRow.Delivery("sent (" + round.answer() + ")", attempts, null, null);
          } else if (attempts >= MAX_ATTEMPTS) {
            after =
                new AlertRow.Delivery(
                    "not sent: "
                        + round.answer()
                        + " after "
                        + attempts
                        + " attempts to the webhook; given up",
                    attempts,
                    round.answer(),
                    null);
          } else {
            Instant next = clock.instant().plus(RETRY_AFTER);
            after =
                new AlertRow.Delivery(
                    "not sent: "
                        + round.answer()
                        + " after "
                        + attempts
                        + " attempts to the webhook; trying again at "
                        + next.truncatedTo(ChronoUnit.SECONDS),
                    attempts,
                    round.answer(),
                    next);
          }
          try {
            store.recordAlertDelivery(row.id(), row.firing(), after);
          } catch (RuntimeException e) {
            // The post's due time stays: a node posts it again once it has passed.
            log.warn("Alert {} delivery not recorded: {}", row.id(), e.toString());
          }
        });
  }

  private static boolean isLocal(Alert.Rule rule) {
    return rule == Alert.Rule.STORE_ERRORS;
  }

  private static Alert.@Nullable Rule rule(String label) {
    for (Alert.Rule r : Alert.Rule.values()) {
      if (r.label().equals(label)) {
        return r;
      }
    }
    return null; // a rule of a newer version on a shared store: this node neither shows nor clears
    // it
  }

  private static Alert alert(AlertRow row) {
    Alert.Rule rule = rule(row.rule());
    return new Alert(
        row.id().toString(),
        rule != null ? rule : Alert.Rule.DEAD_CALLBACKS,
        row.subject(),
        row.summary(),
        row.invocations(),
        row.firedAt(),
        row.resolvedAt(),
        row.delivery().state());
  }

  private static Alert with(
      Alert a,
      String summary,
      List<UUID> invocations,
      @Nullable Instant resolvedAt,
      @Nullable String delivery) {
    return new Alert(
        a.id(),
        a.rule(),
        a.subject(),
        summary,
        invocations,
        a.firedAt(),
        resolvedAt != null ? resolvedAt : a.resolvedAt(),
        delivery != null ? delivery : a.delivery());
  }

  private synchronized void setLocalDelivery(String id, boolean firingState, String delivery) {
    if (firingState) {
      localFiring.replaceAll(
          (k, a) -> a.id().equals(id) ? with(a, a.summary(), a.invocations(), null, delivery) : a);
    } else {
      List<Alert> all = new ArrayList<>(localResolved);
      localResolved.clear();
      all.forEach(
          a ->
              localResolved.addLast(
                  a.id().equals(id) ? with(a, a.summary(), a.invocations(), null, delivery) : a));
    }
  }

  /** Gone nodes still missed: neither back nor replaced. */
  private List<Condition> goneNodes(List<NodeRow> alive, Set<String> cleared) {
    List<Condition> found = new ArrayList<>();
    for (Gone g : List.copyOf(gone.values())) {
      boolean back = alive.stream().anyMatch(n -> n.id().equals(g.node().id()));
      if (back || alive.size() >= g.aliveBefore()) {
        gone.remove(g.node().id());
        cleared.add(g.node().id());
      } else {
        found.add(goneCondition(g));
      }
    }
    return found;
  }

  private static Condition goneCondition(Gone g) {
    return new Condition(
        Alert.Rule.NODE_GONE,
        g.node().id(),
        "node "
            + g.node().id()
            + " on "
            + g.node().host()
            + " stopped without leaving (last heartbeat "
            + g.node().heartbeatAt()
            + "); its callbacks were taken over; "
            + g.aliveBefore()
            + " nodes were running before",
        List.of(),
        true);
  }

  private synchronized @Nullable AlertPoster poster() {
    AlertRules.Webhook hook = rules.webhook();
    if (hook == null) {
      return null;
    }
    if (poster == null) {
      poster =
          new AlertPoster(
              hook, http != null ? http : AlertPoster.defaultClient(), nodeId, consoleBase.get());
    }
    return poster;
  }

  private void checkQuietly() {
    try {
      check();
    } catch (RuntimeException e) {
      log.error("Alert check failed", e);
    }
  }

  @Override
  public synchronized void close() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }
}
