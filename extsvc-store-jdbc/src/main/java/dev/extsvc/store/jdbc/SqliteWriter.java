package dev.extsvc.store.jdbc;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The one thread that writes to an SQLite file, committing in groups: while a commit waits for the
 * disk, new writes queue up, and the next transaction takes all of them. Each write runs inside its
 * own savepoint, so it still succeeds or fails alone, and its caller hears back only after the
 * commit that made it durable.
 */
final class SqliteWriter implements AutoCloseable {
  /**
   * Enough to amortise one fsync over many writes; small enough to bound the latency of the last in
   * a group.
   */
  static final int MAX_GROUP = 64;

  private static final SqliteDialect DIALECT = SqliteDialect.INSTANCE;

  private record Write<T extends @Nullable Object>(
      Database.Work<T> work, CompletableFuture<T> result) {
    void fail(Throwable failure) {
      result.completeExceptionally(failure);
    }
  }

  /** Queued last by close(): everything before it is written, then the thread ends. */
  private static final Write<?> STOP =
      new Write<@Nullable Object>(tx -> null, new CompletableFuture<>());

  private final DataSource source;
  private final StatementCache statements;
  private final Runnable afterCommit;
  private final BlockingQueue<Write<?>> queue = new LinkedBlockingQueue<>();
  // A lock rather than synchronized: callers are virtual threads, which a monitor pins on Java 21.
  private final ReentrantLock accepting = new ReentrantLock();
  private final Thread thread;
  private boolean closed;

  SqliteWriter(DataSource source, StatementCache statements) {
    this(source, statements, () -> {});
  }

  /**
   * @param afterCommit told of each commit, on the writer thread: must not wait
   */
  SqliteWriter(DataSource source, StatementCache statements, Runnable afterCommit) {
    this.source = source;
    this.statements = statements;
    this.afterCommit = afterCommit;
    this.thread = Thread.ofPlatform().name("extsvc-sqlite-writer").daemon(true).start(this::loop);
  }

  /**
   * Queues the work; the future completes once its transaction committed, or fails with what went
   * wrong.
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
        group.add(queue.take());
        queue.drainTo(group, MAX_GROUP - 1);
        stop = group.remove(STOP);
        if (!group.isEmpty()) {
          commit(group);
        }
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

  private void commit(List<Write<?>> group) {
    var event = new GroupCommitEvent();
    event.begin();
    var committed = new ArrayList<Runnable>(group.size());
    try (var connection = source.getConnection();
        var control = connection.createStatement()) {
      // Explicit statements rather than setAutoCommit(false), which makes the driver begin the next
      // transaction
      // right after each commit. IMMEDIATE takes the write lock up front: a busy file fails before
      // any work ran.
      control.execute("BEGIN IMMEDIATE");
      try {
        var tx = new Tx(connection, DIALECT, statements);
        for (var write : group) {
          runInSavepoint(write, tx, committed);
        }
        control.execute("COMMIT");
        afterCommit.run();
        if (event.shouldCommit()) {
          event.database = DIALECT.displayName();
          event.writes = group.size();
          event.commit();
        }
      } catch (Throwable e) {
        // Never hand the connection back inside a transaction: every later BEGIN would fail.
        rollback(control, e);
        throw e;
      }
    } catch (SQLException e) {
      var failure = Errors.translate(e, DIALECT);
      group.forEach(
          write -> write.fail(failure)); // those that already failed keep their own failure
      return;
    }
    committed.forEach(Runnable::run);
  }

  /**
   * The savepoint statements are prepared once per connection ({@link StatementCache}, through the
   * write's {@link Tx}), not compiled anew for every write: a CPU profile of callback ingest put
   * about 6 % of the writer thread's time in compiling them.
   */
  private static final String SAVEPOINT = "SAVEPOINT write";

  private static final String RELEASE = "RELEASE write";
  private static final String ROLLBACK_TO = "ROLLBACK TO write";

  private static <T extends @Nullable Object> void runInSavepoint(
      Write<T> write, Tx tx, List<Runnable> committed) throws SQLException {
    tx.update(SAVEPOINT);
    T result;
    try {
      result = write.work().run(tx);
    } catch (SQLException | RuntimeException e) {
      undo(tx, e);
      write.fail(e instanceof SQLException sql ? Errors.translate(sql, DIALECT) : e);
      return;
    }
    tx.update(RELEASE);
    committed.add(() -> write.result().complete(result));
  }

  /**
   * Undoes one write alone. If even that fails, SQLite dropped the whole transaction (I/O error,
   * full disk), and the group fails with the write's own failure, which says why.
   */
  private static void undo(Tx tx, Exception failure) throws SQLException {
    try {
      tx.update(ROLLBACK_TO);
      tx.update(RELEASE);
    } catch (SQLException broken) {
      if (failure instanceof SQLException cause) {
        cause.addSuppressed(broken);
        throw cause;
      }
      broken.addSuppressed(failure);
      throw broken;
    }
  }

  private static void rollback(Statement control, Throwable failure) {
    try {
      control.execute("ROLLBACK");
    } catch (SQLException e) {
      // SQLite may have rolled back already (I/O error, full disk); the original failure is what
      // matters.
      failure.addSuppressed(e);
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
      queue.add(STOP);
    } finally {
      accepting.unlock();
    }
    try {
      thread.join(SqliteDatabase.SHUTDOWN_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
