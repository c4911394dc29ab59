package dev.extsvc.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The fault-suite handler's own database, outside the store: one row per handler run, and its
 * effect keyed by invocation and callback key (insert if absent), committed together. This is how a
 * handler gets an exactly-once effect on top of the runtime's at-least-once handler runs; the suite
 * reads it to count runs and effects.
 */
final class FaultJournal implements AutoCloseable {
  private final Connection connection;

  FaultJournal(Path file) {
    try {
      connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = connection.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=5000");
        s.execute(
            "CREATE TABLE IF NOT EXISTS runs (invocation TEXT NOT NULL, callback_key TEXT NOT NULL,"
                + " incarnation INTEGER NOT NULL, already_handled INTEGER NOT NULL, effect_new INTEGER NOT NULL)");
        s.execute(
            "CREATE TABLE IF NOT EXISTS effects (invocation TEXT NOT NULL, callback_key TEXT NOT NULL,"
                + " incarnation INTEGER NOT NULL, PRIMARY KEY (invocation, callback_key))");
      }
      connection.setAutoCommit(false);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the journal " + file, e);
    }
  }

  /**
   * Records one run and, unless already there, its effect, in one transaction.
   *
   * @param alreadyHandled whether the store said the callback was HANDLED when this run began (must
   *     never be)
   * @return whether the effect is new (false: a run before this one, cut by a kill, already had it)
   */
  synchronized boolean run(UUID invocation, String key, int incarnation, boolean alreadyHandled) {
    try (PreparedStatement effect =
            connection.prepareStatement(
                "INSERT INTO effects VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
        PreparedStatement run =
            connection.prepareStatement("INSERT INTO runs VALUES (?, ?, ?, ?, ?)")) {
      effect.setString(1, invocation.toString());
      effect.setString(2, key);
      effect.setInt(3, incarnation);
      boolean isNew = effect.executeUpdate() == 1;
      run.setString(1, invocation.toString());
      run.setString(2, key);
      run.setInt(3, incarnation);
      run.setInt(4, alreadyHandled ? 1 : 0);
      run.setInt(5, isNew ? 1 : 0);
      run.executeUpdate();
      connection.commit();
      return isNew;
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // the failure below says what went wrong
      }
      throw new IllegalStateException("journal write failed", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
