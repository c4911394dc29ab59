package dev.extsvc.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Where the store's units of work run: on the caller's thread ({@link DirectDatabase}) or on a few
 * dedicated platform threads ({@link SqliteDatabase}). Either way a write is atomic and committed
 * when it returns.
 */
interface Database extends AutoCloseable {

  /** One unit of work on a connection. */
  @FunctionalInterface
  interface Work<T extends @Nullable Object> {
    T run(Tx tx) throws SQLException;
  }

  /**
   * Runs the work atomically, committed when this returns; throws StoreUnavailableException or
   * IllegalStateException.
   */
  <T extends @Nullable Object> T write(Work<T> work);

  /**
   * As {@link #write}, in a transaction of its own, never committed in a group with other writes:
   * for work that may wait on a lock held by another node, which would hold the group's writes too.
   */
  default <T extends @Nullable Object> T writeAlone(Work<T> work) {
    return write(work);
  }

  /** Runs read-only work, each statement seeing committed data. */
  <T extends @Nullable Object> T read(Work<T> work);

  /** Whether work runs on the calling thread, on a connection the data source hands that thread. */
  boolean onCallingThread();

  /**
   * The data source work runs on, for a connection held apart (PostgreSQL's {@code LISTEN}); null
   * when work runs on threads of the database's own.
   */
  default @Nullable DataSource dataSource() {
    return null;
  }

  /** Whether a trivial query answers within the timeout; never throws. */
  boolean ping(Duration timeout);

  @Override
  void close();

  /**
   * Runs the work on a connection of the source: writes as one transaction, reads in auto-commit;
   * prepared statements are kept in the cache between units of work when there is one.
   */
  static <T extends @Nullable Object> T run(
      DataSource source,
      JdbcDialect dialect,
      boolean write,
      Work<T> work,
      @Nullable StatementCache cache)
      throws SQLException {
    try (var connection = source.getConnection()) {
      var tx = new Tx(connection, dialect, cache);
      if (!write) {
        return work.run(tx);
      }
      return transaction(connection, tx, work);
    }
  }

  private static <T extends @Nullable Object> T transaction(
      Connection connection, Tx tx, Work<T> work) throws SQLException {
    connection.setAutoCommit(false);
    try {
      T result = work.run(tx);
      connection.commit();
      return result;
    } catch (Throwable e) {
      rollback(connection, e);
      throw e;
    } finally {
      restoreAutoCommit(connection);
    }
  }

  private static void rollback(Connection connection, Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // The connection is likely gone, and its transaction with it; the original failure is what
      // matters.
      failure.addSuppressed(e);
    }
  }

  private static void restoreAutoCommit(Connection connection) {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      // A broken connection: the pool discards it on close, nothing to restore.
    }
  }
}
