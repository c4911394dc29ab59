package dev.extsvc.runtime.alert;

import dev.extsvc.runtime.Alert;
import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.support.UuidV7;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>On a cluster every node checks, so every node's console and API show the cluster's alerts;
 * only the alerting node (the live node with the smallest id) posts alerts about the cluster, and
 * each node posts its own (its store errors, a node it found gone). When the alerting node changes,
 * alerts firing at that moment are not posted again; their resolution is.
 */
public final class AlertMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertMonitor.class);

  /** How many resolved alerts are kept for the console. */
  static final int RESOLVED_KEPT = 50;

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
  private final Map<Condition.Key, Alert> firing = new LinkedHashMap<>();
  private final Deque<Alert> resolved = new ArrayDeque<>();
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

  /** The alerts firing now, oldest first. */
  public synchronized List<Alert> firing() {
    return List.copyOf(firing.values());
  }

  /** The latest resolved alerts, newest first (at most {@value #RESOLVED_KEPT}). */
  public synchronized List<Alert> resolved() {
    return List.copyOf(resolved);
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

  /** Checks every rule now and fires, updates and resolves alerts accordingly. */
  public void check() {
    Instant now = clock.instant();
    Conditions.Found found = conditions.check(now);
    List<Condition> holding = new ArrayList<>(found.holding());
    boolean alerting = true;
    List<NodeRow> nodes = null;
    try {
      nodes = store.nodes();
    } catch (RuntimeException e) {
      // Without the store no node is known; this node's own alerts still go out.
    }
    if (nodes != null) {
      List<NodeRow> alive =
          nodes.stream().filter(n -> n.heartbeatAt().isAfter(now.minus(nodeTimeout))).toList();
      alerting =
          alive.stream().map(NodeRow::id).min(String::compareTo).orElse(nodeId).equals(nodeId);
      holding.addAll(goneNodes(alive));
    } else {
      gone.values().forEach(g -> holding.add(goneCondition(g)));
    }
    List<Alert> changed = new ArrayList<>();
    List<Boolean> posted = new ArrayList<>();
    synchronized (this) {
      Map<Condition.Key, Condition> byKey = new LinkedHashMap<>();
      holding.forEach(c -> byKey.put(c.key(), c));
      for (Condition c : byKey.values()) {
        Alert current = firing.get(c.key());
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
                  "");
          fired = withDelivery(fired, c.local() || alerting);
          firing.put(c.key(), fired);
          changed.add(fired);
          posted.add(c.local() || alerting);
          log.warn("Alert {} firing ({}): {}", c.rule().label(), c.subject(), c.summary());
        } else {
          firing.put(
              c.key(),
              new Alert(
                  current.id(),
                  current.rule(),
                  current.subject(),
                  c.summary(),
                  c.invocations(),
                  current.firedAt(),
                  null,
                  current.delivery()));
        }
      }
      for (var it = firing.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        Condition.Key key = e.getKey();
        boolean checked =
            found.checked().contains(key.rule())
                || (key.rule() == Alert.Rule.NODE_GONE && nodes != null);
        if (byKey.containsKey(key) || !checked) {
          continue;
        }
        it.remove();
        Alert a = e.getValue();
        boolean local = key.rule() == Alert.Rule.STORE_ERRORS || key.rule() == Alert.Rule.NODE_GONE;
        Alert done =
            withDelivery(
                new Alert(
                    a.id(),
                    a.rule(),
                    a.subject(),
                    a.summary(),
                    a.invocations(),
                    a.firedAt(),
                    now,
                    ""),
                local || alerting);
        resolved.addFirst(done);
        while (resolved.size() > RESOLVED_KEPT) {
          resolved.removeLast();
        }
        changed.add(done);
        posted.add(local || alerting);
        log.info("Alert {} resolved ({})", a.rule().label(), a.subject());
      }
    }
    AlertPoster p = poster();
    for (int i = 0; i < changed.size(); i++) {
      Alert a = changed.get(i);
      if (p != null && posted.get(i)) {
        p.post(a, delivery -> setDelivery(a.id(), a.firing(), delivery));
      }
    }
  }

  private Alert withDelivery(Alert a, boolean postedHere) {
    String delivery;
    if (rules.webhook() == null) {
      delivery = "not sent: no webhook configured";
    } else if (postedHere) {
      delivery = "sending";
    } else {
      delivery = "sent by the alerting node";
    }
    return new Alert(
        a.id(),
        a.rule(),
        a.subject(),
        a.summary(),
        a.invocations(),
        a.firedAt(),
        a.resolvedAt(),
        delivery);
  }

  private synchronized void setDelivery(String id, boolean firingState, String delivery) {
    if (firingState) {
      firing.replaceAll((k, a) -> a.id().equals(id) ? delivered(a, delivery) : a);
    } else {
      List<Alert> all = new ArrayList<>(resolved);
      resolved.clear();
      all.forEach(a -> resolved.addLast(a.id().equals(id) ? delivered(a, delivery) : a));
    }
  }

  private static Alert delivered(Alert a, String delivery) {
    return new Alert(
        a.id(),
        a.rule(),
        a.subject(),
        a.summary(),
        a.invocations(),
        a.firedAt(),
        a.resolvedAt(),
        delivery);
  }

  /** Gone nodes still missed: neither back nor replaced. */
  private List<Condition> goneNodes(List<NodeRow> alive) {
    List<Condition> found = new ArrayList<>();
    for (Gone g : List.copyOf(gone.values())) {
      boolean back = alive.stream().anyMatch(n -> n.id().equals(g.node().id()));
      if (back || alive.size() >= g.aliveBefore()) {
        gone.remove(g.node().id());
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
