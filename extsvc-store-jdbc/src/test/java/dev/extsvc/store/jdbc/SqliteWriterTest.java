package dev.extsvc.store.jdbc;

import static dev.extsvc.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.store.ServiceRow;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteWriterTest {
  @TempDir Path directory;
  private Path file;

  @BeforeEach
  void migrate() {
    file = directory.resolve("writer.db");
    JdbcStore.sqlite(file).close();
  }

  @Test
  void aFailingWriteInAGroupIsUndoneAloneWhileTheOthersCommit() throws Exception {
    var entered = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    try (var writer =
        new SqliteWriter(
            SqliteDatabase.dataSource(file), SqliteDialect.INSTANCE.newStatementCache())) {
      // Hold the writer busy so that the next three writes queue up and go into one group.
      var gate =
          writer.submit(
              tx -> {
                entered.countDown();
                awaitQuietly(release);
                return 0;
              });
      entered.await();
      var first = writer.submit(tx -> saveService(tx, "first"));
      var failing =
          writer.submit(
              tx -> {
                saveService(tx, "failing");
                throw new IllegalStateException("the handler's bookkeeping is wrong");
              });
      var last = writer.submit(tx -> saveService(tx, "last"));
      release.countDown();

      assertThat(gate.get()).isZero();
      assertThat(first.get()).isEqualTo(1);
      assertThat(last.get()).isEqualTo(1);
      assertThatThrownBy(failing::get)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalStateException.class);
    }
    try (var store = JdbcStore.sqlite(file)) {
      assertThat(store.services()).extracting(ServiceRow::name).containsExactly("first", "last");
    }
  }

  @Test
  void closeWritesWhatWasQueuedAndRefusesMore() throws Exception {
    var writer =
        new SqliteWriter(
            SqliteDatabase.dataSource(file), SqliteDialect.INSTANCE.newStatementCache());
    var queued = writer.submit(tx -> saveService(tx, "queued"));

    writer.close();

    assertThat(queued.get()).isEqualTo(1);
    assertThatThrownBy(() -> writer.submit(tx -> saveService(tx, "late")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  private static int saveService(Tx tx, String name) throws SQLException {
    return tx.update(Sql.SAVE_SERVICE, name, "1", "{}", T0);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
