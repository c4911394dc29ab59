package dev.extsvc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL's own account of a timed window, statement by statement ({@code pg_stat_statements},
 * nested statements such as triggers' included), when the system property {@code
 * bench.pgStatements} names a directory: {@code BENCH_JAVA_OPTS=-Dbench.pgStatements=DIR
 * scripts/bench ...}. Writes one file per row of the wrk section, the statements by total time,
 * each figure per request of the window. For finding where PostgreSQL's CPU per request goes; the
 * harness's tables do not depend on it.
 */
final class StatementStats {
  static final String PROPERTY = "bench.pgStatements";

  private static final String TOP =
      "SELECT calls, total_exec_time, rows, wal_records, wal_bytes, shared_blks_dirtied, query"
          + " FROM pg_stat_statements"
          + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
          + " ORDER BY total_exec_time DESC LIMIT 25";

  private final Databases.Fresh db;
  private final Path dir;

  private StatementStats(Databases.Fresh db, Path dir) {
    this.db = db;
    this.dir = dir;
  }

  /** Whether the embedded PostgreSQL must load the extension when it starts. */
  static boolean wanted() {
    return System.getProperty(PROPERTY) != null;
  }

  /** The account of this database's windows, or null when not wanted or not PostgreSQL. */
  static @Nullable StatementStats of(Databases.Fresh db) {
    String dir = System.getProperty(PROPERTY);
    return dir == null || db.kind() != StoreKind.POSTGRESQL
        ? null
        : new StatementStats(db, Path.of(dir));
  }

  /** Forgets what came before: called as a timed window begins. */
  void reset() {
    try (Connection c = db.connect();
        var s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      s.execute("SELECT pg_stat_statements_reset()");
    } catch (SQLException e) {
      throw new IllegalStateException("pg_stat_statements: " + e.getMessage(), e);
    }
  }

  /** Writes the window's statements to a file named after the row, per request of the window. */
  void write(String subject, long requests) {
    List<String> lines = new ArrayList<>();
    lines.add(subject + ": " + requests + " requests; per request: calls, ms, rows, WAL records,");
    lines.add("WAL bytes, buffers dirtied; then the statement");
    double n = Math.max(1, requests);
    try (Connection c = db.connect();
        var s = c.createStatement();
        var r = s.executeQuery(TOP)) {
      while (r.next()) {
        lines.add(
            String.format(
                Locale.ROOT,
                "%6.2f %7.4f %6.2f %6.2f %8.0f %6.3f  %s",
                r.getLong("calls") / n,
                r.getDouble("total_exec_time") / n,
                r.getLong("rows") / n,
                r.getLong("wal_records") / n,
                r.getDouble("wal_bytes") / n,
                r.getLong("shared_blks_dirtied") / n,
                r.getString("query").replaceAll("\\s+", " ")));
      }
      Files.createDirectories(dir);
      String name = subject.replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT);
      Files.write(dir.resolve("statements-" + name + ".txt"), lines);
    } catch (SQLException e) {
      throw new IllegalStateException("pg_stat_statements: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
