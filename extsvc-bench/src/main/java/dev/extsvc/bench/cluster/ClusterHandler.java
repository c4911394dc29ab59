package dev.extsvc.bench.cluster;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.HandlerLease;
import dev.extsvc.runtime.ReceivedCallback;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * The suite's handler, re-created from the store on whichever node gets the callback. It journals
 * each run in {@code cluster_runs} (node, process id, fence, start and end by the database's clock,
 * {@code clock_timestamp()}), and does its work as a series of effects, one when it starts, one
 * every {@value #EFFECT_EVERY_MILLIS} ms of work and one when it is done, each a row in {@code
 * cluster_effects} stamped by the database's clock. Before each effect it asks {@link
 * HandlerLease#held()} and stops when the lease is lost ("lease lost"); the effect itself is
 * written only while the invocation's fence is still the run's, the row locked meanwhile, so that
 * no claim can slip in between ("fenced" when refused although {@code held()} had said yes). Two
 * runs of one callback whose effects interleave ran twice at once. Reads the node's name and the
 * database from the system properties {@code cluster.node} and {@code cluster.db} the suite starts
 * the node with.
 */
public final class ClusterHandler implements CallbackHandler {
  static final long EFFECT_EVERY_MILLIS = 500;

  /** How long a run works, ms; stored with the invocation. */
  public long workMillis;

  /** For Jackson, which re-creates the handler from its stored state. */
  public ClusterHandler() {}

  ClusterHandler(long workMillis) {
    this.workMillis = workMillis;
  }

  @Override
  public void onCallback(String key, List<ReceivedCallback> callbacks) throws Exception {
    String node = System.getProperty("cluster.node", "unknown");
    String db = System.getProperty("cluster.db", "");
    if (db.isEmpty()) {
      throw new IllegalStateException("the node was started without -Dcluster.db");
    }
    HandlerLease lease = HandlerLease.current();
    for (ReceivedCallback c : callbacks) {
      try (Connection conn = DriverManager.getConnection(db)) {
        long run = start(conn, c, key, node, lease.fence());
        String outcome = "ok";
        try {
          work(conn, run, c.invocationId(), lease);
        } catch (LeaseLost e) {
          outcome = e.why;
          throw new InterruptedException("the run's lease is lost: " + outcome);
        } catch (InterruptedException e) {
          outcome = "interrupted";
          throw e;
        } finally {
          end(conn, run, outcome);
        }
      }
    }
  }

  /**
   * Works in short sleeps, so an interrupt (a lost lease) ends the run at once, with an effect at
   * the start, every half second and at the end.
   */
  private void work(Connection conn, long run, UUID invocation, HandlerLease lease)
      throws InterruptedException, SQLException, LeaseLost {
    effect(conn, run, invocation, lease);
    long started = System.nanoTime();
    long until = started + workMillis * 1_000_000;
    long nextEffect = started + EFFECT_EVERY_MILLIS * 1_000_000;
    while (System.nanoTime() < until) {
      Thread.sleep(Math.max(1, Math.min(50, (until - System.nanoTime()) / 1_000_000)));
      if (System.nanoTime() >= nextEffect) {
        effect(conn, run, invocation, lease);
        nextEffect += EFFECT_EVERY_MILLIS * 1_000_000;
      }
    }
    effect(conn, run, invocation, lease);
  }

  private static void effect(Connection conn, long run, UUID invocation, HandlerLease lease)
      throws SQLException, LeaseLost {
    if (!lease.held()) {
      throw new LeaseLost("lease lost");
    }
    try (PreparedStatement s =
        conn.prepareStatement(
            "INSERT INTO cluster_effects (run_id, at) SELECT ?, clock_timestamp() FROM"
                + " extsvc_invocation_state WHERE id = ? AND claim_fence = ? FOR SHARE")) {
      s.setLong(1, run);
      s.setObject(2, invocation);
      s.setLong(3, lease.fence());
      if (s.executeUpdate() == 0) {
        throw new LeaseLost("fenced");
      }
    }
  }

  private static long start(
      Connection conn, ReceivedCallback c, String key, String node, long fence)
      throws SQLException {
    try (PreparedStatement s =
        conn.prepareStatement(
            "INSERT INTO cluster_runs (invocation_id, callback_key, node, pid, fence, started_at)"
                + " VALUES (?, ?, ?, ?, ?, clock_timestamp()) RETURNING id")) {
      s.setObject(1, c.invocationId());
      s.setString(2, key);
      s.setString(3, node);
      s.setLong(4, ProcessHandle.current().pid());
      s.setLong(5, fence);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private static void end(Connection conn, long run, String outcome) throws SQLException {
    try (PreparedStatement s =
        conn.prepareStatement(
            "UPDATE cluster_runs SET ended_at = clock_timestamp(), outcome = ? WHERE id = ?")) {
      s.setString(1, outcome);
      s.setLong(2, run);
      s.executeUpdate();
    }
  }

  /** The run stops short of an effect: its lease is lost ("lease lost", "fenced"). */
  private static final class LeaseLost extends Exception {
    private static final long serialVersionUID = 1L;

    final String why;

    LeaseLost(String why) {
      super(why, null, false, false);
      this.why = why;
    }
  }
}
