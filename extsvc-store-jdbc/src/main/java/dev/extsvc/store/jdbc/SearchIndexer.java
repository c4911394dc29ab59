package dev.extsvc.store.jdbc;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the words that writes queued ({@link JdbcDialect#indexesSearchLater()}) into the search
 * documents, once a {@link #PERIOD}, in batches of {@link #BATCH}: one rewrite of a document for
 * all of its words of the period (on SQLite, one FTS5 segment for a second of callbacks rather than
 * one per group commit; on PostgreSQL, one new version of the document and of its GIN entries).
 * Searches do not wait for its period: they move what is left themselves ({@link #indexAll}) first
 * (on PostgreSQL after any move in flight on another node).
 */
final class SearchIndexer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SearchIndexer.class);

  static final Duration PERIOD = Duration.ofSeconds(1);

  /** Queued rows per write: bounds how long one batch holds the writer. */
  static final int BATCH = 5_000;

  private final Database database;
  private final JdbcDialect dialect;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("extsvc-search-indexer").daemon(true).factory());

  SearchIndexer(Database database, JdbcDialect dialect, Duration period) {
    this.database = database;
    this.dialect = dialect;
    // The first round one period in, as every other: words queued before a restart wait no longer.
    executor.scheduleWithFixedDelay(
        this::indexQuietly, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Everything queued before the call, in batches: what a search runs before it reads. Words queued
   * meanwhile wait for the next call, so that under load this ends.
   */
  static void indexAll(Database database, JdbcDialect dialect) {
    long last = database.read(dialect::lastQueuedSearch);
    if (last == 0) {
      return; // nothing queued: no write, so an idle store stays idle
    }
    // Alone: on PostgreSQL a batch may wait for another node's mover (its advisory lock).
    while (database.writeAlone(tx -> dialect.indexPendingSearch(tx, BATCH, last)) == BATCH) {
      // the next batch
    }
  }

  private void indexQuietly() {
    try {
      indexAll(database, dialect);
    } catch (RuntimeException e) {
      // The words stay queued, durable, for the next round or the next search.
      LOG.warn("Search indexing failed, will retry: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(SqliteDatabase.SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
