package dev.extsvc.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the write-ahead log back into the database file on a thread of its own. Left to SQLite,
 * the commit that takes the log past 1,000 pages does this itself: the writer then writes every
 * page a second time and waits for a second fsync, of random places in the file, before the next
 * group can begin. Measured under callback load, that put one commit in three behind a checkpoint.
 * Here the writer's connection has {@code wal_autocheckpoint=0} and only appends; this thread
 * checkpoints in PASSIVE mode, which never blocks the writer, while the writer commits the next
 * group.
 *
 * <p>A PASSIVE checkpoint cannot reset a log that readers are still using, so under constant reads
 * the log could grow; past {@link #RESTART_PAGES} this thread asks for a RESTART checkpoint, which
 * waits (up to the busy timeout) for the readers and lets the next commit start the log from its
 * beginning.
 */
final class SqliteCheckpointer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);

  /** SQLite's own threshold for an automatic checkpoint. */
  static final int CHECKPOINT_PAGES = 1000;

  /**
   * About 32 MiB of log at 4 KiB pages. While readers keep PASSIVE checkpoints from restarting the
   * log, it grows up to this size, each new page of it a new block of the file that the file system
   * zeroes first. Measured on the harness's sweep of 100,000 of 1,000,000 waiting invocations (two
   * lanes reading while the writer writes): at 65,536 pages ~9,300 bytes written per timeout and
   * 7.3 to 9.7 s; at 8,192 ~7,700 bytes and 6.5 and 7.8 s; at 2,048 the RESTARTs, which hold the
   * writer, came so often that it took 9.3 s.
   */
  static final int RESTART_PAGES = 8_192;

  /** How long an idle checkpointer sleeps before it looks again without being woken. */
  private static final Duration IDLE = Duration.ofSeconds(1);

  private static final Duration GATHER = Duration.ofMillis(100);

  /** The longest wait before trying again after checkpoints failed (the wait doubles up to it). */
  static final Duration RETRY_LIMIT = Duration.ofSeconds(30);

  private final DataSource source;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Thread thread;
  private long commits;
  private long checkpointedAt;
  private boolean closed;

  /** The first wait before trying again after checkpoints failed. */
  private final Duration firstRetry;

  SqliteCheckpointer(DataSource source) {
    this(source, Duration.ofSeconds(1));
  }

  SqliteCheckpointer(DataSource source, Duration firstRetry) {
    this.source = source;
    this.firstRetry = firstRetry;
    this.thread =
        Thread.ofPlatform().name("extsvc-sqlite-checkpointer").daemon(true).start(this::loop);
  }

  /** Called after each commit of the writer: a cheap signal, never a wait. */
  void committed() {
    lock.lock();
    try {
      commits++;
      work.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checkpoints until closed. A failure (an I/O error, a full disk) leaves the writer's commits
   * durable in the log, which only grows meanwhile: the loop says so once, tries again on a new
   * connection after a wait that doubles up to {@link #RETRY_LIMIT}, and says when checkpoints
   * resumed.
   */
  private void loop() {
    Duration retry = firstRetry;
    boolean failing = false;
    while (!isClosed()) {
      try (Connection connection = source.getConnection();
          var statement = connection.createStatement()) {
        // A first checkpoint proves the connection works, whatever was committed meanwhile.
        checkpoint(statement, "PASSIVE");
        if (failing) {
          LOG.warn("SQLite checkpoints resumed");
          failing = false;
          retry = firstRetry;
        }
        checkpointWhileCommitting(statement);
        return;
      } catch (SQLException e) {
        if (!failing) {
          LOG.warn(
              "SQLite checkpoints failed: {}; the log grows until they resume (trying again"
                  + " every {} at most)",
              Errors.translate(e, SqliteDialect.INSTANCE).getMessage(),
              RETRY_LIMIT);
          failing = true;
        }
        if (!waitBeforeRetry(retry)) {
          return;
        }
        Duration doubled = retry.multipliedBy(2);
        retry = doubled.compareTo(RETRY_LIMIT) < 0 ? doubled : RETRY_LIMIT;
      }
    }
  }

  private void checkpointWhileCommitting(Statement statement) throws SQLException {
    while (awaitCommits()) {
      int logPages = checkpoint(statement, "PASSIVE");
      if (logPages >= RESTART_PAGES) {
        checkpoint(statement, "RESTART");
      } else if (logPages < CHECKPOINT_PAGES && !pause()) {
        return;
      }
    }
  }

  private boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** Waits before the next try after a failure; false once closed. */
  private boolean waitBeforeRetry(Duration wait) {
    lock.lock();
    try {
      long left = wait.toNanos();
      while (!closed && left > 0) {
        left = work.awaitNanos(left);
      }
      return !closed;
    } catch (InterruptedException e) {
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Pages in the log when the checkpoint ended; the log restarts once all of them were copied. */
  private static int checkpoint(Statement statement, String mode) throws SQLException {
    try (var result = statement.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
      return result.next() ? result.getInt(2) : 0;
    }
  }

  /** Waits until something was committed since the last checkpoint; false once closed. */
  private boolean awaitCommits() {
    lock.lock();
    try {
      while (!closed && commits == checkpointedAt) {
        work.awaitNanos(IDLE.toNanos());
      }
      checkpointedAt = commits;
      return !closed;
    } catch (InterruptedException e) {
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * A small log is not worth a checkpoint per commit (each costs two fsyncs): let the commits of
   * {@link #GATHER} gather first. A sleep, not a wait on the commit signal, which comes every
   * commit.
   */
  private boolean pause() {
    try {
      Thread.sleep(GATHER);
      return true;
    } catch (InterruptedException e) {
      return false; // close()
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      work.signal();
    } finally {
      lock.unlock();
    }
    thread.interrupt();
    try {
      thread.join(SqliteDatabase.SHUTDOWN_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
