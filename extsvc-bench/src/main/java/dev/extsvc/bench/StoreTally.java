package dev.extsvc.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the store holds after a load run, read with plain SQL beside the store (not through it), so
 * that a bug in the store's own reads cannot hide a bug in its writes.
 *
 * @param invocationsByStatus rows of {@code extsvc_invocations} per status
 * @param callbacksByOutcome rows of {@code extsvc_callbacks} per outcome
 * @param invocationsWithSeveralCallbacks invocations that have more than one callback row
 * @param callbacksWithoutInvocation callback rows whose invocation is not there
 */
record StoreTally(
    Map<String, Long> invocationsByStatus,
    Map<String, Long> callbacksByOutcome,
    long invocationsWithSeveralCallbacks,
    long callbacksWithoutInvocation) {

  StoreTally {
    invocationsByStatus = Map.copyOf(invocationsByStatus);
    callbacksByOutcome = Map.copyOf(callbacksByOutcome);
  }

  static StoreTally read(Connection c) throws SQLException {
    return new StoreTally(
        counts(c, "SELECT status, COUNT(*) FROM extsvc_invocation_state GROUP BY status"),
        counts(c, "SELECT outcome, COUNT(*) FROM extsvc_callbacks GROUP BY outcome"),
        single(
            c,
            "SELECT COUNT(*) FROM (SELECT invocation_id FROM extsvc_callbacks GROUP BY invocation_id"
                + " HAVING COUNT(*) > 1) AS doubled"),
        single(
            c,
            "SELECT COUNT(*) FROM extsvc_callbacks c WHERE NOT EXISTS"
                + " (SELECT 1 FROM extsvc_invocations i WHERE i.id = c.invocation_id)"));
  }

  long invocations(String status) {
    return invocationsByStatus.getOrDefault(status, 0L);
  }

  long callbacks(String outcome) {
    return callbacksByOutcome.getOrDefault(outcome, 0L);
  }

  long callbackRows() {
    return callbacksByOutcome.values().stream().mapToLong(Long::longValue).sum();
  }

  private static Map<String, Long> counts(Connection c, String sql) throws SQLException {
    Map<String, Long> counts = new TreeMap<>();
    try (var s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    }
    return counts;
  }

  private static long single(Connection c, String sql) throws SQLException {
    try (var s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
