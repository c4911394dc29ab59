package dev.extsvc.store.jdbc;

import static dev.extsvc.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.StoreUnavailableException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** PostgreSQL's group commit: one writer thread, so that queued writes form one group. */
class GroupWriterTest {
  private static EmbeddedPostgres postgres;
  private static DataSource source;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
    var url =
        "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres?currentSchema=public";
    JdbcStore.postgres(url, "postgres", "postgres").close(); // migrates
    var simple = new PGSimpleDataSource();
    simple.setUrl(url);
    simple.setUser("postgres");
    source = simple;
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @Test
  void writesQueuedWhileACommitIsUnderWayShareOneTransaction() throws Exception {
    try (var writer = new GroupWriter(source, PostgresDialect.INSTANCE, null, 1)) {
      var gate = holdBusy(writer);
      var first = writer.submit(tx -> saveAndTellTransaction(tx, "shared-1"));
      var second = writer.submit(tx -> saveAndTellTransaction(tx, "shared-2"));
      var third = writer.submit(tx -> saveAndTellTransaction(tx, "shared-3"));
      gate.release();

      long shared = first.get(10, TimeUnit.SECONDS);
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(shared);
      assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo(shared);
      assertThat(gate.transaction()).isNotEqualTo(shared);
    }
    assertThat(serviceNames()).contains("shared-1", "shared-2", "shared-3");
  }

  @Test
  void aFailingWriteInAGroupFailsAloneWhileTheOthersCommit() throws Exception {
    try (var writer = new GroupWriter(source, PostgresDialect.INSTANCE, null, 1)) {
      var gate = holdBusy(writer);
      var before = writer.submit(tx -> saveService(tx, "before-failure"));
      // A statement that fails aborts PostgreSQL's whole transaction, not only its own write.
      var failing =
          writer.submit(
              tx -> {
                saveService(tx, "failing");
                return tx.update("UPDATE extsvc_no_such_table SET x = 1");
              });
      var after = writer.submit(tx -> saveService(tx, "after-failure"));
      gate.release();

      assertThat(before.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalStateException.class);
    }
    assertThat(serviceNames())
        .contains("before-failure", "after-failure")
        .doesNotContain("failing");
  }

  @Test
  void aCommitThatFailsAfterTheGroupRanTellsNoWriteItCommitted() throws Exception {
    var crashing = commitFails(source);
    try (var writer = new GroupWriter(crashing, PostgresDialect.INSTANCE, null, 1)) {
      var gate = holdBusy(writer);
      List<CompletableFuture<Integer>> group =
          List.of(
              writer.submit(tx -> saveService(tx, "lost-1")),
              writer.submit(tx -> saveService(tx, "lost-2")),
              writer.submit(tx -> saveService(tx, "lost-3")));
      gate.release();

      for (var write : group) {
        assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(StoreUnavailableException.class);
      }
    }
    assertThat(serviceNames()).doesNotContain("lost-1", "lost-2", "lost-3");
  }

  @Test
  void closeWritesWhatWasQueuedAndRefusesMore() throws Exception {
    var writer = new GroupWriter(source, PostgresDialect.INSTANCE, null, 2);
    var queued = writer.submit(tx -> saveService(tx, "queued-before-close"));

    writer.close();

    assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThatThrownBy(() -> writer.submit(tx -> saveService(tx, "late")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  /** A write that keeps the only writer busy until released, so that the next ones queue. */
  private static Gate holdBusy(GroupWriter writer) throws InterruptedException {
    var entered = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var transaction =
        writer.submit(
            tx -> {
              entered.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              return currentTransaction(tx);
            });
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    return new Gate(release, transaction);
  }

  private record Gate(CountDownLatch latch, CompletableFuture<Long> result) {
    void release() {
      latch.countDown();
    }

    long transaction() throws Exception {
      return result.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aReadBeyondThePoolLessTheWritersWaitsThenGivesUpAsUnavailableWhileWritesGoOn()
      throws Exception {
    // Room for one read: the pool of four less the three writers' connections.
    var database =
        new GroupCommitDatabase(
            source,
            PostgresDialect.INSTANCE,
            () -> {},
            GroupCommitDatabase.WRITERS + 1,
            java.time.Duration.ofMillis(300));
    try (database) {
      var holding = new CountDownLatch(1);
      var release = new CountDownLatch(1);
      var first =
          CompletableFuture.supplyAsync(
              () ->
                  database.read(
                      tx -> {
                        holding.countDown();
                        await(release);
                        return currentTransaction(tx);
                      }));
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

      long started = System.nanoTime();
      assertThatThrownBy(() -> database.read(GroupWriterTest::currentTransaction))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("no connection for a read within 300 ms");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
          .isGreaterThanOrEqualTo(250);
      // a write does not queue behind the read holding the only read slot
      int saved = database.write(tx -> saveService(tx, "beside-a-read"));
      assertThat(saved).isEqualTo(1);

      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      assertThat(database.read(GroupWriterTest::currentTransaction)).isPositive();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long saveAndTellTransaction(Tx tx, String name) throws SQLException {
    saveService(tx, name);
    return currentTransaction(tx);
  }

  private static long currentTransaction(Tx tx) throws SQLException {
    return tx.queryOne("SELECT txid_current()", row -> row.getLong(1)).orElseThrow();
  }

  private static int saveService(Tx tx, String name) throws SQLException {
    return tx.update(Sql.SAVE_SERVICE, name, "1", "{}", T0);
  }

  private static List<String> serviceNames() {
    try (var store =
        JdbcStore.create(source, Dialect.POSTGRESQL)) { // the caller's source: left open
      return store.services().stream().map(ServiceRow::name).toList();
    }
  }

  /**
   * Connections whose COMMIT fails as when the server goes away at that moment; the transaction is
   * rolled back (the server never committed it).
   */
  private static DataSource commitFails(DataSource real) {
    return (DataSource)
        Proxy.newProxyInstance(
            GroupWriterTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                return crashingOnCommit((Connection) invoke(real, method, args));
              }
              return invoke(real, method, args);
            });
  }

  private static Connection crashingOnCommit(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            GroupWriterTest.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("commit")) {
                connection.rollback();
                throw new SQLException(
                    "An I/O error occurred while sending to the backend", "08006");
              }
              return invoke(connection, method, args);
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
