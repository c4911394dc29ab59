package dev.extsvc.runtime.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What this node can prove about being alive, by {@link System#nanoTime()} (which keeps counting
 * while the process is stopped, unlike a thread's idea of "recently"): the moment it sent its last
 * heartbeat that the store took, and so until when no other node can have taken it for dead and
 * released its leases — that moment plus the node timeout, less a safety margin for the two nodes'
 * readings of the database's clock. Past it, every lease this node holds is in doubt: its runs are
 * dropped ({@link #onLapse}) and it claims nothing until a heartbeat goes through again.
 *
 * <p>Until heartbeating {@link #start() starts} (a runtime built without its background work), the
 * node is trusted without end, as a single process always is.
 */
public final class Liveness {
  private final long windowNanos;
  private final Duration heartbeatInterval;
  private final List<Consumer<String>> lapseListeners = new CopyOnWriteArrayList<>();
  private volatile boolean started;
  private volatile long beatSentNanos = System.nanoTime();

  /**
   * @param heartbeatInterval how often the node heartbeats
   * @param nodeTimeout after how long without a heartbeat others take the node for dead
   */
  public Liveness(Duration heartbeatInterval, Duration nodeTimeout) {
    this.heartbeatInterval = heartbeatInterval;
    this.windowNanos = nodeTimeout.minus(margin(nodeTimeout)).toNanos();
  }

  /** A node that never heartbeats: trusted without end (a worker built on its own, in tests). */
  public static Liveness always(Duration interval) {
    return new Liveness(interval, Duration.ofDays(365));
  }

  /**
   * The part of the node timeout this node gives up for safety: a fifth (1 s of the default 5 s).
   * It covers the error of each node's reading of the database's clock (half a round trip each at
   * most) and the store's time to apply a heartbeat.
   */
  public static Duration margin(Duration nodeTimeout) {
    return nodeTimeout.dividedBy(5);
  }

  /** How often the node heartbeats. */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** From now on, trust lasts only as long as the heartbeats go through. */
  public void start() {
    beatSentNanos = System.nanoTime();
    started = true;
  }

  /** A heartbeat sent at {@code sentNanos} (read before it was sent) went through. */
  public void beatSent(long sentNanos) {
    if (sentNanos - beatSentNanos > 0) {
      beatSentNanos = sentNanos;
    }
  }

  /**
   * Whether the node may still count on its leases now; false once a heartbeat has gone unsent for
   * longer than the node timeout less the margin.
   */
  public boolean trusted() {
    return !started || System.nanoTime() - trustedUntilNanos() < 0;
  }

  /**
   * Until when (by {@link System#nanoTime()}) no other node can have taken this one for dead;
   * meaningless unless {@link #bounded()}.
   */
  public long trustedUntilNanos() {
    return beatSentNanos + windowNanos;
  }

  /** Whether trust has an end: heartbeating has started. */
  public boolean bounded() {
    return started;
  }

  /**
   * Called with the reason when the node finds its trust lapsed (a pause, a starved heartbeat, a
   * store out of reach): every run is to be dropped at once.
   */
  public void onLapse(Consumer<String> listener) {
    lapseListeners.add(listener);
  }

  /** Drops every run, saying why. */
  void lapse(String reason) {
    for (Consumer<String> l : lapseListeners) {
      l.accept(reason);
    }
  }
}
