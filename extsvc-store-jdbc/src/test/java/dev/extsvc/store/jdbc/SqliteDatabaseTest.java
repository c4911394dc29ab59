package dev.extsvc.store.jdbc;

import static dev.extsvc.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.StoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

class SqliteDatabaseTest {
  @TempDir Path directory;

  @Test
  void workCalledFromAVirtualThreadRunsOnADedicatedPlatformThread() throws Exception {
    var file = directory.resolve("threads.db");
    JdbcStore.sqlite(file).close();
    var writer = new AtomicReference<Thread>();
    var reader = new AtomicReference<Thread>();

    try (var database = SqliteDatabase.open(file)) {
      Thread.ofVirtual()
          .start(
              () -> {
                writer.set(database.write(tx -> Thread.currentThread()));
                reader.set(database.read(tx -> Thread.currentThread()));
              })
          .join();
    }

    assertThat(writer.get().isVirtual()).isFalse();
    assertThat(writer.get().getName()).isEqualTo("extsvc-sqlite-writer");
    assertThat(reader.get().isVirtual()).isFalse();
    assertThat(reader.get().getName()).startsWith("extsvc-sqlite-reader-");
  }

  @Test
  void statementsAreCompiledOnceAndReusedWithoutHoldingAReadSnapshot() throws Exception {
    var file = directory.resolve("cache.db");
    JdbcStore.sqlite(file).close();
    var prepared = new java.util.ArrayList<java.sql.PreparedStatement>();
    try (var database = SqliteDatabase.open(file)) {
      for (int i = 0; i < 20; i++) {
        String name = "s" + i;
        database.write(tx -> tx.update(Sql.SAVE_SERVICE, name, "1", "{}", T0));
        // Each read must see the write just committed: a cached statement left un-reset would pin
        // an old snapshot.
        long seen =
            database.read(
                tx ->
                    tx.queryOne("SELECT COUNT(*) FROM extsvc_services", row -> row.getLong(1))
                        .orElseThrow());
        assertThat(seen).isEqualTo(i + 1);
      }
      database.write(
          tx -> {
            prepared.add(tx.cachedForTest("SELECT COUNT(*) FROM extsvc_services"));
            prepared.add(tx.cachedForTest("SELECT COUNT(*) FROM extsvc_services"));
            return null;
          });
      // No cached statement holds a read snapshot: another connection's truncating checkpoint is
      // not blocked.
      try (var other = SqliteDatabase.dataSource(file).getConnection();
          var statement = other.createStatement();
          var result = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        assertThat(result.next()).isTrue();
        assertThat(result.getInt(1)).as("busy").isZero();
      }
    }
    assertThat(prepared.get(0)).isNotNull().isSameAs(prepared.get(1));
  }

  @Test
  void anInterruptedCallerStillLearnsThatItsWriteCommittedAndStaysInterrupted() throws Exception {
    var file = directory.resolve("interrupt.db");
    var entered = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var stillInterrupted = new AtomicBoolean();
    try (var store = JdbcStore.sqlite(file);
        var database = SqliteDatabase.open(file)) {
      var caller =
          Thread.ofVirtual()
              .start(
                  () -> {
                    database.write(
                        tx -> {
                          entered.countDown();
                          awaitQuietly(release); // on the writer thread, which nobody interrupts
                          return tx.update(Sql.SAVE_SERVICE, "acme", "1", "{}", T0);
                        });
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                  });
      entered.await();
      caller.interrupt();
      release.countDown();
      caller.join();

      assertThat(stillInterrupted).isTrue();
      assertThat(store.services()).extracting(ServiceRow::name).containsExactly("acme");
    }
  }

  @Test
  void aFileLockedByAnotherWriterPastTheBusyTimeoutIsUnavailable() throws Exception {
    var file = directory.resolve("busy.db");
    JdbcStore.sqlite(file).close();
    var config = new SQLiteConfig();
    config.setBusyTimeout(100);
    var source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + file);

    try (var store = JdbcStore.create(source, Dialect.SQLITE)) {
      try (var other = SqliteDatabase.dataSource(file).getConnection();
          var statement = other.createStatement()) {
        statement.execute("BEGIN IMMEDIATE"); // another writer holds the lock

        assertThatThrownBy(() -> store.saveService(new ServiceRow("acme", "1", "{}", T0)))
            .isInstanceOf(StoreUnavailableException.class)
            .hasMessageContaining("SQLITE_BUSY");
        statement.execute("ROLLBACK");
      }
      store.saveService(new ServiceRow("acme", "1", "{}", T0));
      assertThat(store.services()).hasSize(1);
    }
  }

  @Test
  void theWriterOnlyAppendsToTheLogAndAThreadOfItsOwnCopiesItBackIntoTheFile() throws Exception {
    var file = directory.resolve("checkpoint.db");
    JdbcStore.sqlite(file).close();
    long migrated = Files.size(file);
    String wide = "{\"pad\":\"" + "x".repeat(8_000) + "\"}";

    try (var database = SqliteDatabase.open(file)) {
      var pragmas =
          database.write(
              tx ->
                  List.of(
                      tx.queryOne("PRAGMA wal_autocheckpoint", row -> row.getLong(1)).orElseThrow(),
                      tx.queryOne("PRAGMA cache_size", row -> row.getLong(1)).orElseThrow()));
      assertThat(pragmas).containsExactly(0L, (long) -SqliteDatabase.WRITER_CACHE_KIB);
      for (int i = 0; i < 600; i++) { // about 1,800 pages of log, past SQLite's 1,000
        String name = "s" + i;
        database.write(tx -> tx.update(Sql.SAVE_SERVICE, name, "1", wide, T0));
      }

      // Only a checkpoint writes to the file itself; the writer never runs one.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(Files.size(file)).isGreaterThan(migrated + 4_000_000));
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
