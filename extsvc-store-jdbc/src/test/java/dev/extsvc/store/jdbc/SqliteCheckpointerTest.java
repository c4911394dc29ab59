package dev.extsvc.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpointer outlives a failure: the log must not grow until the next restart. */
class SqliteCheckpointerTest {
  @TempDir Path directory;

  @Test
  void checkpointsResumeAfterTheDatabaseFailedThemForAWhile() throws Exception {
    Path file = directory.resolve("flaky.db");
    try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + file);
        var s = writer.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("PRAGMA wal_autocheckpoint = 0");
      s.execute("CREATE TABLE t (v TEXT NOT NULL)");
      long before = Files.size(file);
      for (int i = 0; i < 500; i++) { // about 1,500 pages of log, none of them in the file yet
        s.execute("INSERT INTO t (v) VALUES ('" + "x".repeat(10_000) + "')");
      }
      assertThat(Files.size(file)).isEqualTo(before);

      // The first two connections fail (an I/O error, a full disk), as a busy disk might.
      var failures = new AtomicInteger(2);
      var tries = new AtomicInteger();
      DataSource flaky = flaky(SqliteDatabase.dataSource(file), failures, tries);
      try (var checkpointer = new SqliteCheckpointer(flaky, Duration.ofMillis(20))) {
        checkpointer.committed();
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(Files.size(file)).isGreaterThan(before + 4_000_000));
      }
      assertThat(tries.get()).isGreaterThanOrEqualTo(3);
    }
  }

  /** Fails {@code failures} connections, then gives the source's; counts the tries. */
  private static DataSource flaky(DataSource source, AtomicInteger failures, AtomicInteger tries) {
    return new DataSource() {
      @Override
      public Connection getConnection() throws SQLException {
        tries.incrementAndGet();
        if (failures.getAndDecrement() > 0) {
          throw new SQLException("disk I/O error (a test's)", "08000", 10);
        }
        return source.getConnection();
      }

      @Override
      public Connection getConnection(String user, String password) throws SQLException {
        return getConnection();
      }

      @Override
      public PrintWriter getLogWriter() {
        return new PrintWriter(System.err);
      }

      @Override
      public void setLogWriter(PrintWriter out) {}

      @Override
      public void setLoginTimeout(int seconds) {}

      @Override
      public int getLoginTimeout() {
        return 0;
      }

      @Override
      public Logger getParentLogger() {
        return Logger.getGlobal();
      }

      @Override
      public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("not a wrapper");
      }

      @Override
      public boolean isWrapperFor(Class<?> type) {
        return false;
      }
    };
  }
}
