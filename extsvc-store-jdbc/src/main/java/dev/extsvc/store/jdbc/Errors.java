package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.StoreUnavailableException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Sorts SQL failures into the two kinds callers act on: the database cannot serve now (unreachable, read-only,
 * busy, full, shutting down: answer 503 and retry) and everything else, which is a bug in the store or its
 * caller (a constraint violated, a statement wrong).
 */
final class Errors {
  /** SQLite primary result codes that say "not now" rather than "wrong". */
  private static final Set<Integer> SQLITE_UNAVAILABLE = Set.of(
      3, // PERM
      5, // BUSY: busy_timeout elapsed
      6, // LOCKED
      7, // NOMEM
      8, // READONLY
      9, // INTERRUPT
      10, // IOERR
      11, // CORRUPT
      13, // FULL
      14, // CANTOPEN
      15, // PROTOCOL
      26); // NOTADB

  /** PostgreSQL SQLSTATE classes of the same kind: connection, transaction rollback, resources, shutdown, I/O. */
  private static final Set<String> POSTGRES_UNAVAILABLE_CLASSES = Set.of("08", "40", "53", "57", "58", "XX");

  /** Single PostgreSQL states of that kind: read-only transaction, lock not available, no privilege. */
  private static final Set<String> POSTGRES_UNAVAILABLE_STATES = Set.of("25006", "55P03", "42501");

  private Errors() {}

  static RuntimeException translate(SQLException e) {
    if (unavailable(e)) {
      return new StoreUnavailableException("The store is unavailable: " + summary(e), e);
    }
    return new IllegalStateException("Store statement failed: " + summary(e), e);
  }

  /**
   * A failure while opening the store (pool start, migration): unavailable if an SQL failure of that kind is
   * among its causes, otherwise the failure as it is.
   */
  static RuntimeException onOpen(RuntimeException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && unavailable(sql)) {
        return new StoreUnavailableException("Cannot open the store: " + summary(sql), e);
      }
    }
    return e;
  }

  static boolean unavailable(SQLException e) {
    if (e instanceof SQLiteException sqlite) {
      var code = sqlite.getResultCode();
      return code == SQLiteErrorCode.UNKNOWN_ERROR || SQLITE_UNAVAILABLE.contains(code.code & 0xff);
    }
    if (e instanceof SQLTransientException
        || e instanceof SQLRecoverableException
        || e instanceof SQLNonTransientConnectionException) {
      return true; // pool timeouts, broken connections
    }
    var state = e.getSQLState();
    if (state == null || state.length() != 5) {
      return true; // drivers leave it out for closed connections and the like: nothing we wrote wrong
    }
    return POSTGRES_UNAVAILABLE_STATES.contains(state) || POSTGRES_UNAVAILABLE_CLASSES.contains(state.substring(0, 2));
  }

  /** The first line of the message: driver messages carry no credentials, but may carry multi-line detail. */
  private static String summary(SQLException e) {
    var message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    var first = newline < 0 ? message : message.substring(0, newline);
    return e.getSQLState() == null ? first : first + " (SQLState " + e.getSQLState() + ")";
  }
}
