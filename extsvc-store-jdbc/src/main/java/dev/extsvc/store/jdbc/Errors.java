package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.StoreUnavailableException;
import java.sql.SQLException;

/**
 * Sorts SQL failures into the two kinds callers act on: the database cannot serve now (unreachable,
 * read-only, busy, full, shutting down: answer 503 and retry) and everything else, which is a bug
 * in the store or its caller (a constraint violated, a statement wrong). Which failure is which,
 * the dialect says.
 */
final class Errors {
  private Errors() {}

  static RuntimeException translate(SQLException e, JdbcDialect dialect) {
    if (dialect.unavailable(e)) {
      return new StoreUnavailableException("The store is unavailable: " + summary(e), e);
    }
    return new IllegalStateException("Store statement failed: " + summary(e), e);
  }

  /**
   * A failure while opening the store (pool start, migration): unavailable if an SQL failure of
   * that kind is among its causes, otherwise the failure as it is.
   */
  static RuntimeException onOpen(RuntimeException e, JdbcDialect dialect) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && dialect.unavailable(sql)) {
        return new StoreUnavailableException("Cannot open the store: " + summary(sql), e);
      }
    }
    return e;
  }

  /**
   * The first line of the message: driver messages carry no credentials, but may carry multi-line
   * detail.
   */
  static String summary(SQLException e) {
    var message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    var first = newline < 0 ? message : message.substring(0, newline);
    return e.getSQLState() == null ? first : first + " (SQLState " + e.getSQLState() + ")";
  }
}
