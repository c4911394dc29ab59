package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.AlertRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The statements of the cluster's alerts (V17), both dialects. */
final class AlertSql {
  private AlertSql() {}

  static final String COLUMNS =
      "id, rule, subject, summary, invocations, fired_at, fired_by, resolved_at, resolved_by,"
          + " delivery, delivery_attempts, delivery_error, delivery_due";

  // The partial unique index on (rule, subject) WHERE resolved_at IS NULL makes a second firing
  // insert of the same alert a conflict: nothing written, and that node does not post it.
  static final String FIRE =
      "INSERT INTO extsvc_alerts ("
          + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
  static final String UPDATE =
      "UPDATE extsvc_alerts SET summary = ?, invocations = ? WHERE id = ? AND resolved_at IS NULL";
  static final String RESOLVE =
      "UPDATE extsvc_alerts SET resolved_at = ?, resolved_by = ?, delivery = ?,"
          + " delivery_attempts = ?, delivery_error = ?, delivery_due = ?"
          + " WHERE id = ? AND resolved_at IS NULL";
  static final String PRUNE =
      "DELETE FROM extsvc_alerts WHERE resolved_at IS NOT NULL AND id NOT IN (SELECT id FROM"
          + " extsvc_alerts WHERE resolved_at IS NOT NULL ORDER BY resolved_at DESC, id DESC LIMIT ?)";
  static final String FIRING =
      "SELECT " + COLUMNS + " FROM extsvc_alerts WHERE resolved_at IS NULL ORDER BY fired_at, id";
  static final String RESOLVED =
      "SELECT "
          + COLUMNS
          + " FROM extsvc_alerts WHERE resolved_at IS NOT NULL"
          + " ORDER BY resolved_at DESC, id DESC LIMIT ?";
  static final String DUE =
      "SELECT id, delivery_due FROM extsvc_alerts WHERE delivery_due IS NOT NULL"
          + " AND delivery_due <= ? ORDER BY delivery_due, id LIMIT ?";
  // conditional on the due time read: of nodes claiming at once, one moves it
  static final String CLAIM =
      "UPDATE extsvc_alerts SET delivery_due = ? WHERE id = ? AND delivery_due = ?";
  static final String ONE = "SELECT " + COLUMNS + " FROM extsvc_alerts WHERE id = ?";
  static final String RECORD_FIRING =
      "UPDATE extsvc_alerts SET delivery = ?, delivery_attempts = ?, delivery_error = ?,"
          + " delivery_due = ? WHERE id = ? AND resolved_at IS NULL";
  static final String RECORD_RESOLVED =
      "UPDATE extsvc_alerts SET delivery = ?, delivery_attempts = ?, delivery_error = ?,"
          + " delivery_due = ? WHERE id = ? AND resolved_at IS NOT NULL";

  static String invocationsText(List<UUID> invocations) {
    return invocations.stream().map(UUID::toString).collect(Collectors.joining(","));
  }

  static AlertRow alert(ResultSet row) throws SQLException {
    String invocations = row.getString("invocations");
    List<UUID> ids =
        invocations.isEmpty()
            ? List.of()
            : Arrays.stream(invocations.split(",")).map(UUID::fromString).toList();
    int attempts = row.getInt("delivery_attempts");
    return new AlertRow(
        Rows.uuid(row, "id"),
        row.getString("rule"),
        row.getString("subject"),
        row.getString("summary"),
        ids,
        Rows.instantAt(row, "fired_at"),
        row.getString("fired_by"),
        nullableInstant(row, "resolved_at"),
        row.getString("resolved_by"),
        new AlertRow.Delivery(
            row.getString("delivery"),
            attempts,
            row.getString("delivery_error"),
            nullableInstant(row, "delivery_due")));
  }

  static @Nullable Instant nullableInstant(ResultSet row, String column) throws SQLException {
    long micros = row.getLong(column);
    return row.wasNull() ? null : Rows.instant(micros);
  }
}
