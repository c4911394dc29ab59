package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.EarlyCallbackRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** The statements of correlation by business key and early callbacks (V12), both dialects. */
final class CorrelationSql {
  private CorrelationSql() {}

  static final String INSERT_CORRELATION =
      "INSERT INTO extsvc_correlations (invocation_id, service, operation, callback_key, value)"
          + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (invocation_id, callback_key) DO NOTHING";

  // PENDING first, oldest first (each final callback completes one, the next goes to the next);
  // then the others, newest first (a repeat of a handled callback is answered by its invocation).
  static final String INVOCATIONS_BY_VALUE =
      "SELECT "
          + Sql.INVOCATION_COLUMNS
          + " FROM extsvc_correlations c JOIN extsvc_invocations i ON i.id = c.invocation_id"
          + " JOIN extsvc_invocation_state s ON s.id = i.id"
          + " WHERE c.service = ? AND c.operation = ? AND c.callback_key = ? AND c.value = ?"
          + " ORDER BY CASE WHEN s.status = 'PENDING' THEN 0 ELSE 1 END,"
          + " CASE WHEN s.status = 'PENDING' THEN i.submit_time ELSE -i.submit_time END"
          + " LIMIT ?";

  static final String EARLY_COLUMNS =
      "id, service, operation, callback_key, value, received_at, method, headers, body, dedup_key,"
          + " hold_until, dead_at, delivered_to";
  static final String INSERT_EARLY =
      "INSERT INTO extsvc_early_callbacks ("
          + EARLY_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)"
          + " ON CONFLICT (service, dedup_key) DO NOTHING";
  static final String EARLY_BY_DEDUP =
      "SELECT "
          + EARLY_COLUMNS
          + " FROM extsvc_early_callbacks WHERE service = ? AND dedup_key = ?";
  static final String EARLY =
      "SELECT " + EARLY_COLUMNS + " FROM extsvc_early_callbacks WHERE id = ?";
  static final String HELD_FOR_VALUE =
      "SELECT "
          + EARLY_COLUMNS
          + " FROM extsvc_early_callbacks WHERE service = ? AND operation = ? AND callback_key = ?"
          + " AND value = ? AND delivered_to IS NULL AND dead_at IS NULL ORDER BY received_at, id";
  static final String TAKE_EARLY =
      "UPDATE extsvc_early_callbacks SET delivered_to = ?"
          + " WHERE id = ? AND delivered_to IS NULL AND dead_at IS NULL";
  static final String DUE_EARLY =
      "SELECT id FROM extsvc_early_callbacks"
          + " WHERE delivered_to IS NULL AND dead_at IS NULL AND hold_until <= ?"
          + " ORDER BY hold_until LIMIT ?";
  static final String KILL_EARLY =
      "UPDATE extsvc_early_callbacks SET dead_at = ?"
          + " WHERE id = ? AND delivered_to IS NULL AND dead_at IS NULL";
  static final String EARLY_LIST =
      "SELECT "
          + EARLY_COLUMNS
          + " FROM extsvc_early_callbacks WHERE delivered_to IS NULL"
          + " ORDER BY received_at DESC, id DESC LIMIT ?";
  static final String HELD_LIST =
      "SELECT "
          + EARLY_COLUMNS
          + " FROM extsvc_early_callbacks WHERE delivered_to IS NULL AND dead_at IS NULL"
          + " ORDER BY received_at DESC, id DESC LIMIT ?";
  static final String DEAD_LIST =
      "SELECT "
          + EARLY_COLUMNS
          + " FROM extsvc_early_callbacks WHERE delivered_to IS NULL AND dead_at IS NOT NULL"
          + " ORDER BY received_at DESC, id DESC LIMIT ?";
  static final String HOLD_AGAIN =
      "UPDATE extsvc_early_callbacks SET dead_at = NULL, hold_until = ?"
          + " WHERE id = ? AND dead_at IS NOT NULL AND delivered_to IS NULL";

  static EarlyCallbackRow early(ResultSet row) throws SQLException {
    String delivered = row.getString("delivered_to");
    return new EarlyCallbackRow(
        Rows.uuid(row, "id"),
        row.getString("service"),
        row.getString("operation"),
        row.getString("callback_key"),
        row.getString("value"),
        Rows.instantAt(row, "received_at"),
        row.getString("method"),
        row.getString("headers"),
        row.getString("body"),
        row.getString("dedup_key"),
        Rows.instantAt(row, "hold_until"),
        nullableInstant(row, "dead_at"),
        delivered == null ? null : java.util.UUID.fromString(delivered));
  }

  private static java.time.@Nullable Instant nullableInstant(ResultSet row, String column)
      throws SQLException {
    long micros = row.getLong(column);
    return row.wasNull() ? null : Rows.instant(micros);
  }
}
