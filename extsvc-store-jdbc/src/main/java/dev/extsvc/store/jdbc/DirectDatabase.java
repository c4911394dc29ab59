package dev.extsvc.store.jdbc;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Runs work on the caller's thread. Right for a driver that, like PostgreSQL's, blocks virtual
 * threads without pinning their carriers, so that no hand-off is needed.
 */
final class DirectDatabase implements Database {
  private final DataSource source;
  private final JdbcDialect dialect;
  private final @Nullable StatementCache statements;
  private final @Nullable AutoCloseable owned;

  /**
   * @param owned what to close with this database (our own pool), null when the caller owns the
   *     data source
   */
  DirectDatabase(DataSource source, JdbcDialect dialect, @Nullable AutoCloseable owned) {
    this.source = source;
    this.dialect = dialect;
    this.statements = dialect.newStatementCache();
    this.owned = owned;
  }

  @Override
  public <T extends @Nullable Object> T write(Work<T> work) {
    return run(true, work);
  }

  @Override
  public <T extends @Nullable Object> T read(Work<T> work) {
    return run(false, work);
  }

  private <T extends @Nullable Object> T run(boolean write, Work<T> work) {
    try {
      return Database.run(source, dialect, write, work, statements);
    } catch (SQLException e) {
      throw Errors.translate(e, dialect);
    }
  }

  @Override
  public DataSource dataSource() {
    return source;
  }

  @Override
  public boolean onCallingThread() {
    return true;
  }

  @Override
  public boolean ping(Duration timeout) {
    // A virtual thread bounds the wait even when the pool itself would wait longer for a
    // connection.
    var answer = new CompletableFuture<Boolean>();
    Thread.ofVirtual()
        .name("extsvc-store-ping")
        .start(
            () -> {
              try {
                answer.complete(
                    read(tx -> tx.queryOne(Sql.PING, row -> row.getInt(1))).isPresent());
              } catch (RuntimeException e) {
                answer.complete(false);
              }
            });
    try {
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        throw new IllegalStateException("Cannot close the connection pool", e);
      }
    }
  }
}
