package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL over the store's own pool: reads on the caller's thread as {@link DirectDatabase},
 * writes committed in groups by a {@link GroupWriter}. Only where the store owns its pool: a data
 * source of the application's may hand a write the caller's own transaction to join (the Spring
 * starter), which a writer thread could not.
 */
final class GroupCommitDatabase implements Database {
  /**
   * Groups written at once: enough that a group's statements and another's commit overlap, few
   * enough to leave most of the pool ({@link JdbcStore#POOL_SIZE}) to reads.
   */
  static final int WRITERS = 3;

  private final DirectDatabase direct;
  private final GroupWriter writer;
  private final JdbcDialect dialect;

  /**
   * Reads in the order they came, at most the pool less the writers' connections at once. The
   * pool's own wait lets a newcomer take a connection just returned before those already waiting,
   * so under a burst of callbacks a read could wait past the pool's timeout while later ones went
   * through (answered 503), and the writers queued behind reads for their connections.
   */
  private final Semaphore reads;

  private final Duration readWait;

  GroupCommitDatabase(
      DataSource source, JdbcDialect dialect, AutoCloseable owned, int poolSize, Duration wait) {
    this.direct = new DirectDatabase(source, dialect, owned);
    this.dialect = dialect;
    this.writer = new GroupWriter(source, dialect, dialect.newStatementCache(), WRITERS);
    this.reads = new Semaphore(Math.max(1, poolSize - WRITERS), true);
    this.readWait = wait;
  }

  @Override
  public <T extends @Nullable Object> T write(Work<T> work) {
    return await(writer.submit(work));
  }

  /** On the caller's thread and a connection of the reads' share, as a read. */
  @Override
  public <T extends @Nullable Object> T writeAlone(Work<T> work) {
    return admitted(() -> direct.write(work));
  }

  @Override
  public <T extends @Nullable Object> T read(Work<T> work) {
    return admitted(() -> direct.read(work));
  }

  private <T extends @Nullable Object> T admitted(java.util.function.Supplier<T> work) {
    boolean admitted;
    try {
      admitted = reads.tryAcquire(readWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("Interrupted while waiting for a store connection", e);
    }
    if (!admitted) {
      throw new StoreUnavailableException(
          "The store is unavailable: no connection for a read within "
              + readWait.toMillis()
              + " ms",
          new java.sql.SQLTransientConnectionException("read queue timed out"));
    }
    try {
      return work.get();
    } finally {
      reads.release();
    }
  }

  @Override
  public boolean onCallingThread() {
    return false;
  }

  @Override
  public DataSource dataSource() {
    return direct.dataSource();
  }

  @Override
  public boolean ping(Duration timeout) {
    return direct.ping(timeout);
  }

  /**
   * Waits for the write even when interrupted: it may be committing already, and the caller must
   * learn whether it did. The interrupt is kept for the caller to see afterwards.
   */
  private <T extends @Nullable Object> T await(Future<T> future) {
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
            case java.sql.SQLException sql -> Errors.translate(sql, dialect);
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
    // Queued writes finish first, so no accepted write is cut off halfway; then the pool closes.
    writer.close();
    direct.close();
  }
}
