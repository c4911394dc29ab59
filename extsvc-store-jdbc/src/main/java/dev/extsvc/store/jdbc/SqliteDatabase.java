package dev.extsvc.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Runs SQLite work on dedicated platform threads: one writer ({@link SqliteWriter}), since SQLite
 * allows a single writer anyway, and a few readers. SQLite calls are native and would pin a virtual
 * thread's carrier for their whole duration; a virtual caller waiting on a future parks instead,
 * leaving the carriers free.
 */
final class SqliteDatabase implements Database {
  static final int READ_THREADS = 2;
  static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  /**
   * Page caches, in KiB (SQLite's default is 2,000). The writer touches index pages all over the
   * file; with the default it read most of them back from the OS on every group, a system call per
   * page.
   */
  static final int WRITER_CACHE_KIB = 64 * 1024;

  static final int READER_CACHE_KIB = 16 * 1024;

  private static final SqliteDialect DIALECT = SqliteDialect.INSTANCE;

  private final SqliteWriter writer;
  private final @Nullable SqliteCheckpointer checkpointer;
  private final DataSource reads;
  private final List<AutoCloseable> owned;
  private final ExecutorService readers = threads("extsvc-sqlite-reader-", READ_THREADS);
  private final StatementCache statements = DIALECT.newStatementCache();

  private SqliteDatabase(
      DataSource writes,
      DataSource reads,
      @Nullable SqliteCheckpointer checkpointer,
      List<AutoCloseable> owned) {
    this.writer =
        checkpointer == null
            ? new SqliteWriter(writes, statements)
            : new SqliteWriter(writes, statements, checkpointer::committed);
    this.checkpointer = checkpointer;
    this.reads = reads;
    this.owned = owned;
  }

  /**
   * Pools over a migrated database file: exactly one writing connection, one reading connection per
   * reader.
   */
  static SqliteDatabase open(Path file) {
    var writing = dataSource(file);
    writing.setCacheSize(-WRITER_CACHE_KIB);
    writing.getConfig().setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, "0");
    var writePool = pool(writing, "extsvc-sqlite-write", 1);
    try {
      var reading = dataSource(file);
      reading.setCacheSize(-READER_CACHE_KIB);
      var readPool = pool(reading, "extsvc-sqlite-read", READ_THREADS);
      var checkpointer = new SqliteCheckpointer(dataSource(file));
      return new SqliteDatabase(writePool, readPool, checkpointer, List.of(writePool, readPool));
    } catch (RuntimeException e) {
      writePool.close();
      throw e;
    }
  }

  /**
   * Over a data source configured elsewhere; our single writer thread still serialises writes.
   *
   * @param owned what to close with this database, null when the caller owns the data source
   */
  static SqliteDatabase over(DataSource source, @Nullable AutoCloseable owned) {
    return new SqliteDatabase(source, source, null, owned == null ? List.of() : List.of(owned));
  }

  /** Unpooled connections to the file with the settings the store relies on. */
  static SQLiteDataSource dataSource(Path file) {
    var config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // FULL: a commit survives power loss, not only a killed process.
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.enforceForeignKeys(true);
    config.setBusyTimeout((int) BUSY_TIMEOUT.toMillis());
    // The store reads no generated keys; the driver would otherwise query last_insert_rowid()
    // after every INSERT, on the one writer thread (a sixth of its time in a profile under load).
    config.setGetGeneratedKeys(false);
    var source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    return source;
  }

  private static HikariDataSource pool(SQLiteDataSource source, String name, int size) {
    var config = new HikariConfig();
    config.setDataSource(source);
    config.setPoolName(name);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    // A file has no server that drops connections: keep them, and with them their cached
    // statements.
    config.setMaxLifetime(0);
    return new HikariDataSource(config);
  }

  private static ExecutorService threads(String prefix, int count) {
    return Executors.newFixedThreadPool(
        count, Thread.ofPlatform().name(prefix, 1).daemon(true).factory());
  }

  @Override
  public <T extends @Nullable Object> T write(Work<T> work) {
    return await(writer.submit(work));
  }

  @Override
  public <T extends @Nullable Object> T read(Work<T> work) {
    return await(submitRead(work));
  }

  @Override
  public boolean onCallingThread() {
    return false;
  }

  @Override
  public boolean ping(Duration timeout) {
    try {
      var answer = submitRead(tx -> tx.queryOne(Sql.PING, row -> row.getInt(1)));
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS).isPresent();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  private <T extends @Nullable Object> Future<T> submitRead(Work<T> work) {
    try {
      return readers.submit(() -> Database.run(reads, DIALECT, false, work, statements));
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("The store is closed", e);
    }
  }

  /**
   * Waits for the work even when interrupted: it may be committing already, and the caller must
   * learn whether it did. The interrupt is kept for the caller to see afterwards.
   */
  private static <T extends @Nullable Object> T await(Future<T> future) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return future.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          var cause = e.getCause();
          if (cause instanceof Error error) {
            throw error;
          }
          throw switch (cause) {
            case SQLException sql -> Errors.translate(sql, DIALECT);
            case RuntimeException runtime -> runtime;
            case null, default -> new IllegalStateException("Store work failed", cause);
          };
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    // Queued work finishes first, so no accepted write is cut off halfway.
    writer.close();
    if (checkpointer != null) {
      checkpointer.close();
    }
    readers.shutdown();
    try {
      readers.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (var closeable : owned) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException("Cannot close the SQLite pool", e);
      }
    }
  }
}
