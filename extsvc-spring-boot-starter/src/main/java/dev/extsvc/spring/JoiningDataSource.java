package dev.extsvc.spring;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The application's DataSource as the store sees it. Normally every store call gets a connection of
 * its own and commits by itself (an invocation is committed before its callout, whatever
 * transaction the caller is in). Only while {@link #joined} runs on a thread — the completion of a
 * callback whose handler runs in a Spring transaction — the store is handed that transaction's
 * connection, with commit, rollback and close left to Spring.
 */
final class JoiningDataSource extends DelegatingDataSource {
  private static final ThreadLocal<Boolean> JOINED = new ThreadLocal<>();

  JoiningDataSource(DataSource target) {
    super(target);
  }

  /** Runs the store's writes of {@code work} on the current Spring transaction's connection. */
  static void joined(SqlWork work) throws Exception {
    JOINED.set(Boolean.TRUE);
    try {
      work.run();
    } finally {
      JOINED.remove();
    }
  }

  @FunctionalInterface
  interface SqlWork {
    void run() throws Exception;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (JOINED.get() == null) {
      return obtainTargetDataSource().getConnection();
    }
    Connection shared = DataSourceUtils.getConnection(obtainTargetDataSource());
    if (!DataSourceUtils.isConnectionTransactional(shared, obtainTargetDataSource())) {
      DataSourceUtils.releaseConnection(shared, obtainTargetDataSource());
      throw new SQLException(
          "no Spring transaction is bound to the application's DataSource on this thread");
    }
    return managedBySpring(shared);
  }

  /** The transaction's connection, whose transaction boundaries and life belong to Spring. */
  private static Connection managedBySpring(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            JoiningDataSource.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  // The store brackets each write with these; inside Spring's transaction they are
                  // Spring's to do.
                  case "setAutoCommit", "commit", "rollback", "close" -> {
                    if (method.getName().equals("rollback") && args != null) {
                      yield method.invoke(
                          connection, args); // rollback to a savepoint stays the store's own
                    }
                    yield null;
                  }
                  case "isClosed" -> connection.isClosed();
                  case "unwrap" ->
                      ((Class<?>) args[0]).isInstance(proxy)
                          ? proxy
                          : connection.unwrap((Class<?>) args[0]);
                  default -> {
                    try {
                      yield method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  }
                });
  }
}
