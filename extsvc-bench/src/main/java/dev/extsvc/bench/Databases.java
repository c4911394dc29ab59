package dev.extsvc.bench;

import dev.extsvc.store.jdbc.JdbcStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Fresh databases for each run: an SQLite file under the work directory (on the same disk as the
 * project, not a tmpfs), or a new database in one embedded PostgreSQL that the harness starts on
 * first use and stops at the end.
 */
final class Databases implements AutoCloseable {
  private final Path work;
  private final AtomicInteger counter = new AtomicInteger();

  /** PostgreSQL databases bench_1 to bench_dropped are gone ({@link #settle()}). */
  private int dropped;

  private @Nullable EmbeddedPostgres postgres;

  Databases(Path work) {
    this.work = work;
  }

  /** A fresh, empty (unmigrated) database of that kind. */
  Fresh fresh(StoreKind kind) {
    String name = "bench_" + counter.incrementAndGet();
    return switch (kind) {
      case SQLITE ->
          new Fresh(
              kind,
              "jdbc:sqlite:" + work.resolve(name + ".db").toAbsolutePath(),
              work.resolve(name + ".db"));
      case POSTGRESQL -> {
        try (Connection c = postgres().getPostgresDatabase().getConnection()) {
          c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
          throw new IllegalStateException("cannot create database " + name, e);
        }
        yield new Fresh(kind, postgres().getJdbcUrl("postgres", name), null);
      }
    };
  }

  /** The process id of the PostgreSQL server (its postmaster), started if it was not yet. */
  long postmasterPid() {
    postgres();
    Path pidFile = work.resolve("postgres").resolve("postmaster.pid");
    try {
      return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pidFile, e);
    }
  }

  private EmbeddedPostgres postgres() {
    if (postgres == null) {
      try {
        // Zonky turns synchronous_commit off for speed; a callback must be durable before its 200,
        // so back on.
        var builder =
            EmbeddedPostgres.builder()
                .setDataDirectory(work.resolve("postgres"))
                .setCleanDataDirectory(true)
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_wal_size", "4GB");
        if (StatementStats.wanted()) {
          builder
              .setServerConfig("shared_preload_libraries", "pg_stat_statements")
              .setServerConfig("pg_stat_statements.track", "all");
        }
        postgres = builder.start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
      }
    }
    return postgres;
  }

  /**
   * One database: its JDBC URL (user and password "postgres" on PostgreSQL) and, for SQLite, its
   * file.
   */
  record Fresh(StoreKind kind, String jdbcUrl, @Nullable Path file) {
    JdbcStore openStore() {
      return file != null
          ? JdbcStore.sqlite(file)
          : JdbcStore.postgres(jdbcUrl, "postgres", "postgres");
    }

    /**
     * A plain connection beside the store, for bulk loading and for checking what the store holds.
     */
    Connection connect() throws SQLException {
      return file != null
          ? DriverManager.getConnection(jdbcUrl)
          : DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
    }

    /** Bytes on disk: the SQLite file with its WAL, or what PostgreSQL reports for the database. */
    long sizeOnDisk() {
      if (file != null) {
        long total = 0;
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
          Path p = Path.of(file + suffix);
          try {
            total += Files.exists(p) ? Files.size(p) : 0;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return total;
      }
      try (Connection c = connect();
          var rs =
              c.createStatement().executeQuery("SELECT pg_database_size(current_database())")) {
        rs.next();
        return rs.getLong(1);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Ends what earlier sections left running in the background, before a section is timed: drops
   * every PostgreSQL database made so far (autovacuum would go on working through them), then
   * {@link #writeBack()}.
   */
  void settle() {
    if (postgres != null) {
      try (Connection c = postgres.getPostgresDatabase().getConnection()) {
        for (int n = dropped + 1; n <= counter.get(); n++) {
          c.createStatement().execute("DROP DATABASE IF EXISTS bench_" + n + " WITH (FORCE)");
        }
        dropped = counter.get();
      } catch (SQLException e) {
        throw new IllegalStateException("cannot drop the embedded PostgreSQL's databases", e);
      }
    }
    writeBack();
  }

  /**
   * Checkpoints PostgreSQL (when started) and has the kernel write every dirty page out ({@code
   * sync}): a store just bulk-loaded is otherwise still being written back while its probe runs,
   * which the runtime never meets in service.
   */
  void writeBack() {
    if (postgres != null) {
      try (Connection c = postgres.getPostgresDatabase().getConnection()) {
        c.createStatement().execute("CHECKPOINT");
      } catch (SQLException e) {
        throw new IllegalStateException("cannot checkpoint the embedded PostgreSQL", e);
      }
    }
    sync();
  }

  private static void sync() {
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run sync", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
