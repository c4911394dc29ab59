package dev.extsvc.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A connection inside one unit of work, with parameters bound by their Java type so statements stay
 * one line each. Writes run in a transaction that {@link Database} or {@link SqliteWriter} commits;
 * reads run in auto-commit.
 */
final class Tx {
  /** Maps the current row of a result set. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  private final Connection connection;
  private final JdbcDialect dialect;
  private final @Nullable StatementCache cache;

  Tx(Connection connection, JdbcDialect dialect, @Nullable StatementCache cache) {
    this.connection = connection;
    this.dialect = dialect;
    this.cache = cache;
  }

  int update(String sql, @Nullable Object... params) throws SQLException {
    var prepared = prepare(sql, params);
    try {
      return prepared.statement().executeUpdate();
    } finally {
      prepared.done();
    }
  }

  void batch(String sql, List<@Nullable Object[]> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    var prepared = statement(sql);
    try {
      for (var row : rows) {
        bind(prepared.statement(), row);
        prepared.statement().addBatch();
      }
      prepared.statement().executeBatch();
    } finally {
      prepared.done();
    }
  }

  <T> List<T> query(String sql, RowMapper<T> mapper, @Nullable Object... params)
      throws SQLException {
    var prepared = prepare(sql, params);
    try (var rows = prepared.statement().executeQuery()) {
      var result = new ArrayList<T>();
      while (rows.next()) {
        result.add(mapper.map(rows));
      }
      return result;
    } finally {
      prepared.done();
    }
  }

  <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, @Nullable Object... params)
      throws SQLException {
    var rows = query(sql, mapper, params);
    if (rows.size() > 1) {
      throw new IllegalStateException(
          "expected at most one row, got " + rows.size() + " from: " + sql);
    }
    return rows.stream().findFirst();
  }

  private Prepared prepare(String sql, @Nullable Object... params) throws SQLException {
    var prepared = statement(sql);
    try {
      bind(prepared.statement(), params);
      return prepared;
    } catch (SQLException | RuntimeException e) {
      prepared.done();
      throw e;
    }
  }

  /**
   * The statement this unit of work would run for the SQL, for tests of the cache; null when not
   * cached.
   */
  @Nullable PreparedStatement cachedForTest(String sql) throws SQLException {
    return cache == null ? null : cache.statement(connection, sql);
  }

  private Prepared statement(String sql) throws SQLException {
    var cached = cache == null ? null : cache.statement(connection, sql);
    return cached != null
        ? new Prepared(cached, true)
        : new Prepared(connection.prepareStatement(sql), false);
  }

  /** A statement and whether it came from the cache, so that its user knows how to let it go. */
  private record Prepared(PreparedStatement statement, boolean cached) {
    /**
     * A cached statement is cleared for its next use (its result set is closed already); any other
     * is closed.
     */
    void done() throws SQLException {
      if (cached) {
        statement.clearParameters();
        statement.clearBatch();
      } else {
        statement.close();
      }
    }
  }

  private void bind(PreparedStatement statement, @Nullable Object[] params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      int index = i + 1;
      switch (params[i]) {
        // Types.NULL lets PostgreSQL infer the type from the column, whatever it is.
        case null -> statement.setNull(index, Types.NULL);
        case UUID id -> dialect.setUuid(statement, index, id);
        case Instant instant -> statement.setLong(index, Rows.micros(instant));
        case String text -> statement.setString(index, text);
        case Integer number -> statement.setInt(index, number);
        case Long number -> statement.setLong(index, number);
        case Boolean flag -> statement.setBoolean(index, flag);
        case byte[] bytes -> statement.setBytes(index, bytes);
        case Enum<?> constant -> statement.setString(index, constant.name());
        default ->
            throw new IllegalArgumentException("cannot bind " + params[i].getClass().getName());
      }
    }
  }
}
