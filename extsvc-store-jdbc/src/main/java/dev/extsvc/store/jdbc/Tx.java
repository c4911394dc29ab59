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
 * A connection inside one unit of work, with parameters bound by their Java type so statements stay one line
 * each. Writes run in a transaction that {@link Transactions} commits; reads run in auto-commit.
 */
final class Tx {
  /** Maps the current row of a result set. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  private final Connection connection;
  private final Dialect dialect;

  Tx(Connection connection, Dialect dialect) {
    this.connection = connection;
    this.dialect = dialect;
  }

  Dialect dialect() {
    return dialect;
  }

  int update(String sql, @Nullable Object... params) throws SQLException {
    try (var statement = prepare(sql, params)) {
      return statement.executeUpdate();
    }
  }

  void batch(String sql, List<@Nullable Object[]> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (var statement = connection.prepareStatement(sql)) {
      for (var row : rows) {
        bind(statement, row);
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  <T> List<T> query(String sql, RowMapper<T> mapper, @Nullable Object... params) throws SQLException {
    try (var statement = prepare(sql, params);
        var rows = statement.executeQuery()) {
      var result = new ArrayList<T>();
      while (rows.next()) {
        result.add(mapper.map(rows));
      }
      return result;
    }
  }

  <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, @Nullable Object... params) throws SQLException {
    var rows = query(sql, mapper, params);
    if (rows.size() > 1) {
      throw new IllegalStateException("expected at most one row, got " + rows.size() + " from: " + sql);
    }
    return rows.stream().findFirst();
  }

  private PreparedStatement prepare(String sql, @Nullable Object... params) throws SQLException {
    var statement = connection.prepareStatement(sql);
    try {
      bind(statement, params);
      return statement;
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
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
        default -> throw new IllegalArgumentException("cannot bind " + params[i].getClass().getName());
      }
    }
  }
}
