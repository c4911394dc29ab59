package dev.extsvc.runtime.cluster;

import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's place among the runtimes sharing the store: registered when the runtime is built,
 * heartbeating every interval once {@link #start() started}, deregistered on {@link #close()}. With
 * each heartbeat it removes the nodes silent for longer than the node timeout and releases their
 * leases at once, so their callbacks are taken over in seconds rather than when the leases run out;
 * and it re-anchors the {@link DatabaseClock}, when there is one.
 */
public final class Membership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Membership.class);

  /**
   * What membership needs, fixed by the builder.
   *
   * @param heartbeatInterval how often this node says it is alive (and looks for dead ones)
   * @param nodeTimeout after how long without a heartbeat a node is dead
   * @param databaseClock the clock to re-anchor with each heartbeat, null when time is local
   */
  public record Context(
      Store store,
      InstantSource clock,
      String nodeId,
      String version,
      Duration heartbeatInterval,
      Duration nodeTimeout,
      @Nullable DatabaseClock databaseClock) {}

  /** How long {@link #close()} waits for a heartbeat under way before deregistering. */
  static final Duration CLOSE_PATIENCE = Duration.ofSeconds(10);

  /**
   * How long {@link #close()} waits for the store to deregister the node. A store that does not
   * answer (its database already stopped, a pool waiting out its connection timeout) must not hold
   * up the application's shutdown; the others then take the node for dead after the node timeout.
   */
  static final Duration DEREGISTER_PATIENCE = Duration.ofSeconds(5);

  private volatile Duration deregisterPatience = DEREGISTER_PATIENCE;

  private final Store store;
  private final InstantSource clock;
  private final String nodeId;
  private final String host;
  private final String version;
  private final Duration heartbeatInterval;
  private final Duration nodeTimeout;
  private final @Nullable DatabaseClock databaseClock;
  private final Instant startedAt;
  private final Liveness liveness;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile BiConsumer<List<NodeRow>, Integer> onRemoved = (removed, alive) -> {};
  private volatile Runnable afterReap = () -> {};
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "extsvc-membership");
            t.setDaemon(true);
            return t;
          });

  public Membership(Context context) {
    this.store = context.store();
    this.clock = context.clock();
    this.nodeId = context.nodeId();
    this.host = hostName();
    this.version = context.version();
    this.heartbeatInterval = context.heartbeatInterval();
    this.nodeTimeout = context.nodeTimeout();
    this.databaseClock = context.databaseClock();
    this.startedAt = clock.instant();
    this.liveness = new Liveness(heartbeatInterval, nodeTimeout);
  }

  /** Until when this node's leases are certainly its own; its runs watch it. */
  public Liveness liveness() {
    return liveness;
  }

  /**
   * What to do right after this node released a dead node's leases: take its unfinished callbacks
   * over at once (the worker's takeover), rather than at the next poll.
   */
  public void afterReap(Runnable takeover) {
    this.afterReap = takeover;
  }

  /** A node id when none is configured: the host name and 6 random hex digits. */
  public static String generatedNodeId() {
    byte[] random = new byte[3];
    ThreadLocalRandom.current().nextBytes(random);
    return hostName() + "-" + HexFormat.of().formatHex(random);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  public String nodeId() {
    return nodeId;
  }

  /** After how long without a heartbeat a node counts as dead. */
  public Duration nodeTimeout() {
    return nodeTimeout;
  }

  /**
   * Registers this node; a store that cannot be reached now is left to the heartbeats, which
   * register the node once it answers. A node of the same id that is still registered is this
   * node's previous process (killed, then restarted faster than others took it for dead): nothing
   * of its runs survives, so its leases are released first (their fences raised), and its callbacks
   * are taken over at once rather than when others would have found it dead.
   */
  public void register() {
    try {
      store.removeNode(nodeId);
      long sent = System.nanoTime();
      store.registerNode(new NodeRow(nodeId, host, version, startedAt, clock.instant()));
      liveness.beatSent(sent);
    } catch (StoreUnavailableException e) {
      log.warn("Node {} not registered yet: store unavailable ({})", nodeId, e.getMessage());
    }
  }

  /**
   * Tells {@code listener} of the dead nodes this node removes, with how many nodes are alive after
   * (the alerts' "node gone").
   */
  public void onNodesRemoved(BiConsumer<List<NodeRow>, Integer> listener) {
    this.onRemoved = listener;
  }

  /** Starts heartbeating (and reaping dead nodes) every heartbeat interval. */
  public void start() {
    liveness.start();
    long millis = heartbeatInterval.toMillis();
    executor.scheduleWithFixedDelay(this::beatQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * One heartbeat now. First, when the last heartbeat that went through is older than the node
   * timeout less the margin (the process was stopped, or starved), this node's runs are dropped at
   * once: others may have taken it for dead and its callbacks over. Then it re-anchors the database
   * clock, says this node is alive (registering it again when others took it for dead), and removes
   * dead nodes, releases their leases and takes their callbacks over; returns the nodes removed.
   */
  public List<NodeRow> beat() {
    if (closed.get()) {
      return List.of(); // deregistered, or about to be: a heartbeat now would register it again
    }
    long due = System.nanoTime();
    if (liveness.bounded() && due - liveness.trustedUntilNanos() >= 0) {
      liveness.lapse(
          "no heartbeat of node "
              + nodeId
              + " went through for longer than the node timeout less its margin (paused or"
              + " starved): others may have taken the node for dead");
    }
    if (databaseClock != null) {
      databaseClock.anchor();
    }
    long sent = System.nanoTime();
    Instant now = clock.instant();
    if (!store.heartbeat(nodeId, now)) {
      if (closed.get()) {
        return List.of();
      }
      log.warn("Node {} was not registered (taken for dead while silent?): registering", nodeId);
      store.registerNode(new NodeRow(nodeId, host, version, startedAt, now));
    }
    liveness.beatSent(sent);
    List<NodeRow> dead = store.reapNodes(now.minus(nodeTimeout), nodeId);
    for (NodeRow node : dead) {
      log.warn(
          "Node {} on {} silent since {} (over {}): removed, its leases released",
          node.id(),
          node.host(),
          node.heartbeatAt(),
          nodeTimeout);
    }
    if (!dead.isEmpty()) {
      afterReap.run();
      // Counting the nodes left reads through the requests' connections, which load may hold: off
      // this thread, so that the next heartbeat never waits for it.
      Instant since = now.minus(nodeTimeout);
      Thread.ofVirtual()
          .name("extsvc-nodes-removed")
          .start(
              () -> {
                try {
                  int alive =
                      (int)
                          store.nodes().stream()
                              .filter(n -> n.heartbeatAt().isAfter(since))
                              .count();
                  onRemoved.accept(dead, alive);
                } catch (RuntimeException e) {
                  log.warn("Nodes removed, not reported: {}", e.toString());
                }
              });
    }
    return dead;
  }

  private void beatQuietly() {
    try {
      beat();
    } catch (StoreUnavailableException e) {
      log.warn("Node {} heartbeat missed: store unavailable ({})", nodeId, e.getMessage());
    } catch (RuntimeException e) {
      log.error("Node {} heartbeat failed", nodeId, e);
    }
  }

  /**
   * Stops heartbeating and deregisters this node (giving back any lease it still holds). A
   * heartbeat under way is waited for first (its statements are bounded): one that went on after
   * the node was removed would register it again, and others would take the stopped node for dead
   * only after the node timeout, with an alert.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      executor.shutdownNow();
      try {
        if (!executor.awaitTermination(CLOSE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("Node {}: a heartbeat still under way at close", nodeId);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Thread removal =
          Thread.ofVirtual()
              .name("extsvc-deregister")
              .start(
                  () -> {
                    try {
                      store.removeNode(nodeId);
                    } catch (RuntimeException e) {
                      log.warn(
                          "Node {} not deregistered ({}); others will take it for dead",
                          nodeId,
                          e.toString());
                    }
                  });
      try {
        if (!removal.join(deregisterPatience)) {
          log.warn(
              "Node {} not deregistered: the store did not answer within {}; others will take it"
                  + " for dead",
              nodeId,
              deregisterPatience);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A shorter wait for deregistering than {@link #DEREGISTER_PATIENCE} (tests). */
  void deregisterPatience(Duration patience) {
    this.deregisterPatience = patience;
  }
}
