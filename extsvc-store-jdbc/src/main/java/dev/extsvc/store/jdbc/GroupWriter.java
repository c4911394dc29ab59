package dev.extsvc.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Group commit over a server database (PostgreSQL): a few writer threads take the writes queued by
 * concurrent callers, and each runs all it finds queued in one transaction. While the writers are
 * busy committing, new writes queue up and the next free writer takes them together, so under load
 * many callbacks and invocations share one {@code BEGIN}/{@code COMMIT} (and one WAL flush); when
 * nothing else is queued a write goes alone at once, so light load waits for nobody. Every caller
 * hears back only after the commit that made its write durable.
 *
 * <p>A write that fails does not fail the others: the transaction is rolled back, the failed write
 * is run again alone (its caller gets its own outcome) and the rest of the group again as a group.
 * Writes are pure functions of the database (the store's units of work), so running one again is
 * safe. A failure of the {@code COMMIT} itself (the connection lost) fails every write of the group
 * with it: whether it committed is unknown, so nobody is told it did, and nothing is retried.
 */
final class GroupWriter implements AutoCloseable {
  /** As {@link SqliteWriter#MAX_GROUP}: amortises a commit, bounds the latency of the last. */
  static final int MAX_GROUP = 64;

  private record Write<T extends @Nullable Object>(
      Database.Work<T> work, CompletableFuture<T> result) {
    void fail(Throwable failure) {
      result.completeExceptionally(failure);
    }
  }

  /** Queued once per writer by close(): everything before it is written, then the thread ends. */
  private static final Write<?> STOP =
      new Write<@Nullable Object>(tx -> null, new CompletableFuture<>());

  private final DataSource source;
  private final JdbcDialect dialect;
  private final @Nullable StatementCache statements;
  private final BlockingQueue<Write<?>> queue = new LinkedBlockingQueue<>();
  // A lock rather than synchronized: callers are virtual threads, which a monitor pins on Java 21.
  private final ReentrantLock accepting = new ReentrantLock();
  private final List<Thread> threads = new ArrayList<>();
  private boolean closed;

  /**
   * @param writers how many groups may be written at once (each on a connection of the source)
   */
  GroupWriter(
      DataSource source, JdbcDialect dialect, @Nullable StatementCache statements, int writers) {
    this.source = source;
    this.dialect = dialect;
    this.statements = statements;
    for (int i = 0; i < writers; i++) {
      threads.add(
          Thread.ofPlatform().name("extsvc-group-writer-" + i).daemon(true).start(this::loop));
    }
  }

  /**
   * Queues the work; the future completes once its transaction committed, or fails with what went
   * wrong (a {@link SQLException} as {@link Errors#translate} makes it).
   */
  <T extends @Nullable Object> CompletableFuture<T> submit(Database.Work<T> work) {
    var write = new Write<>(work, new CompletableFuture<T>());
    accepting.lock();
    try {
      if (closed) {
        throw new IllegalStateException("The store is closed");
      }
      queue.add(write);
    } finally {
      accepting.unlock();
    }
    return write.result();
  }

  private void loop() {
    var group = new ArrayList<Write<?>>(MAX_GROUP);
    boolean stop = false;
    while (!stop) {
      try {
        var first = queue.take();
        if (first == STOP) {
          return;
        }
        group.add(first);
        drainUntilStop(group);
        stop = group.remove(STOP);
        write(group);
      } catch (InterruptedException e) {
        // Nobody interrupts this thread; close() queues STOP instead, so that queued writes are not
        // lost.
      } catch (RuntimeException | Error e) {
        group.forEach(write -> write.fail(e)); // a bug in the loop itself must not strand callers
      } finally {
        group.clear();
      }
    }
  }

  /** Takes what is queued, up to a group; a STOP taken is kept last so that this writer ends. */
  private void drainUntilStop(List<Write<?>> group) {
    while (group.size() < MAX_GROUP) {
      var next = queue.poll();
      if (next == null) {
        return;
      }
      group.add(next);
      if (next == STOP) {
        return;
      }
    }
  }

  /** Writes the group in one transaction; on a write's failure, as the class comment says. */
  private void write(List<Write<?>> group) {
    if (group.isEmpty()) {
      return;
    }
    var event = new GroupCommitEvent();
    event.begin();
    var committed = new ArrayList<Runnable>(group.size());
    int failedAt = -1;
    Throwable failure = null;
    try (var connection = source.getConnection()) {
      var tx = new Tx(connection, dialect, statements);
      connection.setAutoCommit(false);
      try {
        for (int i = 0; i < group.size(); i++) {
          try {
            committed.add(run(group.get(i), tx));
          } catch (SQLException | RuntimeException | Error e) {
            failedAt = i;
            failure = e;
            break;
          }
        }
        if (failure == null) {
          connection.commit();
          if (event.shouldCommit()) {
            event.database = dialect.displayName();
            event.writes = group.size();
            event.commit();
          }
        } else {
          rollback(connection, failure);
        }
      } finally {
        restoreAutoCommit(connection);
      }
    } catch (SQLException e) {
      // No connection, or the COMMIT itself failed: nothing of the group is known to be durable.
      var translated = Errors.translate(e, dialect);
      group.forEach(write -> write.fail(translated));
      return;
    }
    if (failure == null) {
      committed.forEach(Runnable::run);
      return;
    }
    if (group.size() == 1 || unavailable(failure)) {
      // The database cannot serve now: the others would fail the same way, one connection timeout
      // each. They hear it at once and their callers answer 503.
      var translated = translate(failure);
      if (group.size() == 1) {
        group.getFirst().fail(translated);
      } else {
        group.forEach(write -> write.fail(translated));
      }
      return;
    }
    // The failed write alone, then the rest as a group: each caller gets its write's own outcome.
    var alone = group.get(failedAt);
    var rest = new ArrayList<Write<?>>(group);
    rest.remove(failedAt);
    write(List.of(alone));
    write(rest);
  }

  private static <T extends @Nullable Object> Runnable run(Write<T> write, Tx tx)
      throws SQLException {
    T result = write.work().run(tx);
    return () -> write.result().complete(result);
  }

  /**
   * Whether the failure says the database cannot serve now; a deadlock or a serialisation failure
   * (class 40) is not counted, since run again apart the writes may well succeed.
   */
  private boolean unavailable(Throwable failure) {
    if (!(failure instanceof SQLException e)) {
      return false;
    }
    var state = e.getSQLState();
    if (state != null && state.startsWith("40")) {
      return false;
    }
    return dialect.unavailable(e);
  }

  private Throwable translate(Throwable failure) {
    return failure instanceof SQLException e ? Errors.translate(e, dialect) : failure;
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

  /** Lets queued writes finish, then stops. */
  @Override
  public void close() {
    accepting.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      threads.forEach(thread -> queue.add(STOP));
    } finally {
      accepting.unlock();
    }
    for (var thread : threads) {
      try {
        thread.join(SqliteDatabase.SHUTDOWN_GRACE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
