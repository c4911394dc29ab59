package dev.extsvc.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Where the store's units of work run: on the caller's thread ({@link DirectDatabase}) or on a few dedicated
 * platform threads ({@link SqliteDatabase}). Either way a write is one transaction, committed on return.
 */
interface Database extends AutoCloseable {

  /** One unit of work on a connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Tx tx) throws SQLException;
  }

  /** Runs the work as one transaction; throws StoreUnavailableException or IllegalStateException. */
  <T> T write(Work<T> work);

  /** Runs read-only work, each statement seeing committed data. */
  <T> T read(Work<T> work);

  /** Whether a trivial query answers within the timeout; never throws. */
  boolean ping(Duration timeout);

  @Override
  void close();

  /** Runs the work on a connection of the source: writes as one transaction, reads in auto-commit. */
  static <T> T run(DataSource source, Dialect dialect, boolean write, Work<T> work) throws SQLException {
    try (var connection = source.getConnection()) {
      var tx = new Tx(connection, dialect);
      if (!write) {
        return work.run(tx);
      }
      return dialect == Dialect.SQLITE ? sqliteTransaction(connection, tx, work) : jdbcTransaction(connection, tx, work);
    }
  }

  private static <T> T jdbcTransaction(Connection connection, Tx tx, Work<T> work) throws SQLException {
    connection.setAutoCommit(false);
    try {
      T result = work.run(tx);
      connection.commit();
      return result;
    } catch (Throwable e) {
      rollback(connection::rollback, e);
      throw e;
    } finally {
      restoreAutoCommit(connection);
    }
  }

  /**
   * Explicit statements rather than {@code setAutoCommit(false)}: the SQLite driver would begin the next
   * transaction right after each commit, and a failure to take the lock there would fail a commit that happened.
   * IMMEDIATE takes the write lock up front, so a busy database fails the write before any of it ran.
   */
  private static <T> T sqliteTransaction(Connection connection, Tx tx, Work<T> work) throws SQLException {
    try (var control = connection.createStatement()) {
      control.execute("BEGIN IMMEDIATE");
      try {
        T result = work.run(tx);
        control.execute("COMMIT");
        return result;
      } catch (Throwable e) {
        rollback(() -> control.execute("ROLLBACK"), e);
        throw e;
      }
    }
  }

  /** A rollback, as the dialect does it. */
  @FunctionalInterface
  interface Rollback {
    void run() throws SQLException;
  }

  private static void rollback(Rollback rollback, Throwable failure) {
    try {
      rollback.run();
    } catch (SQLException e) {
      // The connection is likely gone, or SQLite already rolled back; the original failure is what matters.
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
