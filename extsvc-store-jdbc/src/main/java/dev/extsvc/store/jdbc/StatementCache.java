package dev.extsvc.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Prepared statements kept per driver connection, for a driver that keeps no cache itself (the
 * dialect decides). sqlite-jdbc compiles every statement anew, and for the store's short statements
 * compiling costs about as much as running them: a CPU profile of callback ingest put 16 % of all
 * samples in {@code prepare}. (PostgreSQL's driver caches server-side itself.)
 *
 * <p>Statements are prepared on the driver's own connection, beneath the pool's proxy, so that the
 * pool does not close them when the connection goes back. A pool hands a connection to one thread
 * at a time, and so each connection's cache is used by one thread at a time.
 */
final class StatementCache {
  /**
   * Per connection; the console's list builds a few statements dynamically, so the cache is
   * bounded.
   */
  static final int PER_CONNECTION = 96;

  private final Class<? extends Connection> driverConnection;
  private final Map<Connection, Map<String, PreparedStatement>> byConnection =
      new ConcurrentHashMap<>();

  /**
   * @param driverConnection the driver's own connection class, found beneath a pool's proxy by
   *     unwrapping
   */
  StatementCache(Class<? extends Connection> driverConnection) {
    this.driverConnection = driverConnection;
  }

  /**
   * A cached statement for the SQL, or null when the connection is not the driver's (prepare it as
   * usual).
   */
  @Nullable PreparedStatement statement(Connection connection, String sql) throws SQLException {
    if (!connection.isWrapperFor(driverConnection)) {
      return null;
    }
    Connection raw = connection.unwrap(driverConnection);
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
