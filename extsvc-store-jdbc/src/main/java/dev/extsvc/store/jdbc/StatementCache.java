package dev.extsvc.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConnection;

/**
 * Prepared statements kept per SQLite connection. sqlite-jdbc compiles every statement anew and keeps no cache,
 * and for the store's short statements compiling costs about as much as running them: a CPU profile of callback
 * ingest put 16 % of all samples in {@code prepare}. (PostgreSQL's driver caches server-side itself.)
 *
 * <p>Statements are prepared on the driver's own connection, beneath the pool's proxy, so that the pool does not
 * close them when the connection goes back. A pool hands a connection to one thread at a time, and so each
 * connection's cache is used by one thread at a time.
 */
final class StatementCache {
  /** Per connection; the console's list builds a few statements dynamically, so the cache is bounded. */
  static final int PER_CONNECTION = 96;

  private final Map<SQLiteConnection, Map<String, PreparedStatement>> byConnection = new ConcurrentHashMap<>();

  /** A cached statement for the SQL, or null when the connection is not an SQLite one (prepare it as usual). */
  @Nullable PreparedStatement statement(Connection connection, String sql) throws SQLException {
    if (!connection.isWrapperFor(SQLiteConnection.class)) {
      return null;
    }
    SQLiteConnection raw = connection.unwrap(SQLiteConnection.class);
    Map<String, PreparedStatement> cache = byConnection.get(raw);
    if (cache == null) {
      forgetClosedConnections(); // a pool may have replaced one: drop what belonged to it
      cache = new Lru();
      byConnection.put(raw, cache);
    }
    PreparedStatement statement = cache.get(sql);
    if (statement == null || statement.isClosed()) {
      statement = raw.prepareStatement(sql);
      cache.put(sql, statement);
    }
    return statement;
  }

  private void forgetClosedConnections() throws SQLException {
    for (var connection : byConnection.keySet()) {
      if (connection.isClosed()) {
        byConnection.remove(connection);
      }
    }
  }

  /** Least recently used first out; an evicted statement is closed. */
  private static final class Lru extends LinkedHashMap<String, PreparedStatement> {
    Lru() {
      super(16, 0.75f, true);
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
      if (size() <= PER_CONNECTION) {
        return false;
      }
      try {
        eldest.getValue().close();
      } catch (SQLException e) {
        // Closing only frees native memory; a failure here changes nothing the store relies on.
      }
      return true;
    }
  }
}
