package dev.extsvc.bench.cluster;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ReceivedCallback;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The suite's handler, re-created from the store on whichever node gets the callback: journals the
 * start and the end of each run in {@code cluster_runs} with the node, its process id and the
 * database's clock ({@code clock_timestamp()}), so runs of one callback on two nodes can be checked
 * for overlap; in between it works for its stored duration. Reads the node's name and the database
 * from the system properties {@code cluster.node} and {@code cluster.db} the suite starts the node
 * with.
 */
public final class ClusterHandler implements CallbackHandler {
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
    for (ReceivedCallback c : callbacks) {
      long run = start(db, c, key, node);
      String outcome = "ok";
      try {
        work();
      } catch (InterruptedException e) {
        outcome = "interrupted";
        Thread.currentThread().interrupt();
        throw e;
      } finally {
        end(db, run, outcome);
      }
    }
  }

  /** Sleeps in short steps, so an interrupt (a lost lease) ends the run at once. */
  private void work() throws InterruptedException {
    long until = System.nanoTime() + workMillis * 1_000_000;
    while (System.nanoTime() < until) {
      Thread.sleep(Math.max(1, Math.min(50, (until - System.nanoTime()) / 1_000_000)));
    }
  }

  private static long start(String db, ReceivedCallback c, String key, String node)
      throws SQLException {
    try (Connection conn = DriverManager.getConnection(db);
        PreparedStatement s =
            conn.prepareStatement(
                "INSERT INTO cluster_runs (invocation_id, callback_key, node, pid, started_at)"
                    + " VALUES (?, ?, ?, ?, clock_timestamp()) RETURNING id")) {
      s.setObject(1, c.invocationId());
      s.setString(2, key);
      s.setString(3, node);
      s.setLong(4, ProcessHandle.current().pid());
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private static void end(String db, long run, String outcome) throws SQLException {
    try (Connection conn = DriverManager.getConnection(db);
        PreparedStatement s =
            conn.prepareStatement(
                "UPDATE cluster_runs SET ended_at = clock_timestamp(), outcome = ? WHERE id = ?")) {
      s.setString(1, outcome);
      s.setLong(2, run);
      s.executeUpdate();
    }
  }
}
