package dev.extsvc.store.jdbc;

import static dev.extsvc.store.jdbc.Fixtures.T0;
import static dev.extsvc.store.jdbc.Fixtures.callback;
import static dev.extsvc.store.jdbc.Fixtures.event;
import static dev.extsvc.store.jdbc.Fixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationSort;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

class SqliteStoreTest extends StoreContractTest {
  @TempDir Path directory;

  private Path file() {
    return directory.resolve("data").resolve("extsvc.db");
  }

  @Override
  protected Store openStore() {
    return JdbcStore.sqlite(file());
  }

  @Override
  protected Store reopenStore() {
    return JdbcStore.sqlite(file());
  }

  /**
   * Read-only through the open flags: tests often run as root, for whom a read-only file mode
   * changes nothing.
   */
  @Override
  protected Store unavailableStore() {
    var file = directory.resolve("read-only.db");
    JdbcStore.sqlite(file).close();
    var config = new SQLiteConfig();
    config.setReadOnly(true);
    var source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + file);
    return JdbcStore.create(source, Dialect.SQLITE);
  }

  @Test
  void aStoreIndexedOneRowPerDocumentIsSearchedAlikeAfterV18() throws Exception {
    var file = directory.resolve("v17.db");
    UUID id = SearchUpgrade.atV17("jdbc:sqlite:" + file, null, null, "db/migration/sqlite");
    try (var upgraded = JdbcStore.sqlite(file)) {
      SearchUpgrade.assertSearchable(upgraded, id);
    }
  }

  @Test
  void anInvocationsStatusDeadlineAndLeaseWrittenBeforeV21AreItsStateAfter() throws Exception {
    var file = directory.resolve("v20.db");
    var written =
        StateUpgrade.beforeV21("jdbc:sqlite:" + file, null, null, "db/migration/sqlite", "20");
    try (var upgraded = JdbcStore.sqlite(file)) {
      StateUpgrade.assertStateKept(upgraded, written);
    }
  }

  /**
   * V22 moves each invocation's last activity from its table into the state row: the list's order
   * by it is the one written before, and later events and a timeout move it as they did.
   */
  @Test
  void theLastActivityWrittenBeforeV22OrdersTheListAfterAndStillMoves() throws Exception {
    var file = directory.resolve("v21.db");
    String url = "jdbc:sqlite:" + file;
    Flyway.configure(getClass().getClassLoader())
        .dataSource(url, null, null)
        .locations("classpath:db/migration/sqlite")
        .table(Migrations.HISTORY_TABLE)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target("21")
        .load()
        .migrate();
    // submitted a, b, c in that order; an event of a's at +30 s and of b's at +60 s (V9's trigger)
    UUID a = Fixtures.uuid7At(T0);
    UUID b = Fixtures.uuid7At(T0.plusMillis(1));
    UUID c = Fixtures.uuid7At(T0.plusMillis(2));
    try (var connection = DriverManager.getConnection(url);
        var invocation =
            connection.prepareStatement(
                "INSERT INTO extsvc_invocations (id, service, operation, async, request,"
                    + " submit_time) VALUES (?, 'acme', 'submit', 1, '{}', ?)");
        var state =
            connection.prepareStatement(
                "INSERT INTO extsvc_invocation_state (id, status, deadline)"
                    + " VALUES (?, 'PENDING', ?)");
        var event =
            connection.prepareStatement(
                "INSERT INTO extsvc_events (invocation_id, at, kind, message)"
                    + " VALUES (?, ?, 'CALLOUT', 'called out')")) {
      int n = 0;
      for (UUID id : List.of(a, b, c)) {
        invocation.setString(1, id.toString());
        invocation.setLong(2, Fixtures.micros(T0.plusMillis(n++)));
        invocation.executeUpdate();
        state.setString(1, id.toString());
        state.setLong(2, Fixtures.micros(T0.plus(Duration.ofHours(1))));
        state.executeUpdate();
      }
      event.setString(1, a.toString());
      event.setLong(2, Fixtures.micros(T0.plusSeconds(30)));
      event.executeUpdate();
      event.setString(1, b.toString());
      event.setLong(2, Fixtures.micros(T0.plusSeconds(60)));
      event.executeUpdate();
    }
    var byActivity =
        InvocationQuery.all(10)
            .withSort(new InvocationSort(InvocationSort.Column.LAST_ACTIVITY, true));
    try (var upgraded = JdbcStore.sqlite(file)) {
      assertThat(ids(upgraded.invocations(byActivity))).containsExactly(b, a, c);

      // an event moves c's activity first; an older one moves nothing
      upgraded.appendEvent(new NewEvent(c, T0.plusSeconds(90), EventKind.CALLOUT, "called out"));
      upgraded.appendEvent(new NewEvent(b, T0.plusSeconds(5), EventKind.CALLOUT, "called out"));
      assertThat(ids(upgraded.invocations(byActivity))).containsExactly(c, b, a);

      // a timeout moves a's activity to the sweep's time, with its status, in one statement
      Instant sweep = T0.plus(Duration.ofHours(2));
      assertThat(upgraded.timeOut(List.of(a), sweep))
          .extracting(InvocationRow::id)
          .containsExactly(a);
      assertThat(ids(upgraded.invocations(byActivity))).containsExactly(a, c, b);
      var page = upgraded.invocationPage(byActivity.withLimit(1));
      assertThat(page.next()).isNotNull();
      assertThat(ids(upgraded.invocations(byActivity.withLimit(1).withPage(page.next()))))
          .containsExactly(c);

      // an invocation written now starts at its submit time: after a, before the rest
      InvocationRow later =
          Fixtures.pending("acme", "submit", T0.plusSeconds(120), Duration.ofHours(1));
      upgraded.createInvocation(later, List.of(), List.of());
      assertThat(ids(upgraded.invocations(byActivity))).containsExactly(a, later.id(), c, b);
    }
  }

  private static List<UUID> ids(List<InvocationRow> rows) {
    return rows.stream().map(InvocationRow::id).toList();
  }

  /**
   * SQLite's timeout returns the ids from the writer and reads the rows after the commit; the
   * sweeper's two lanes take the batches in turn.
   */
  @Test
  void theSweepersTwoLanesTimeOutABacklogOfSeveralBatchesAndHookEachOnceWithItsOwnRow()
      throws Exception {
    ClusterHandler.reset();
    Map<UUID, String> expected = new ConcurrentHashMap<>();
    // three batches of the sweeper's 4,000, written at once so that the writer groups them
    try (var writers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < BACKLOG; i++) {
        int n = i;
        writers.submit(
            () -> {
              var row =
                  Fixtures.withHandler(
                      pending("service-" + n % 7, "op-" + n % 3, T0, Duration.ofSeconds(60)),
                      ClusterHandler.class.getName(),
                      "{\"name\":\"n" + n + "\"}");
              store.createInvocation(row, List.of(), List.of());
              expected.put(row.id(), row.service() + " " + row.operation() + " n" + n);
              return null;
            });
      }
    }
    assertThat(expected).hasSize(BACKLOG);
    assertThat(store.sweepLanes()).isEqualTo(2);

    try (var services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("https://hooks.example.test")
            .clock(() -> Fixtures.T0.plusSeconds(61))
            .handlerType(ClusterHandler.class)
            .startSweeper(false)
            .build()) {
      assertThat(services.sweepNow()).isEqualTo(BACKLOG);
      assertThat(services.sweepNow()).isZero();
    }

    assertThat(ClusterHandler.TIMEOUT_HOOKS.values()).hasSize(BACKLOG).containsOnly(1);
    assertThat(ClusterHandler.TIMED_OUT).isEqualTo(expected);
    assertThat(store.countByStatus()).containsEntry(InvocationStatus.TIMED_OUT, (long) BACKLOG);
  }

  private static final int BACKLOG = 10_000;

  @Test
  void aTimeoutWritesNoEventRowYetItsEventIsRead() throws Exception {
    var invocation = pending("acme", "op", Fixtures.T0, Duration.ofSeconds(60));
    store.createInvocation(invocation, List.of(), List.of());
    var now = Fixtures.T0.plusSeconds(61);

    assertThat(store.timeOut(List.of(invocation.id()), now)).hasSize(1);

    try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file());
        var rows =
            connection
                .createStatement()
                .executeQuery("SELECT COUNT(*) FROM extsvc_events WHERE kind = 'TIMED_OUT'")) {
      rows.next();
      assertThat(rows.getInt(1)).isZero();
    }
    assertThat(store.events(invocation.id()))
        .extracting(e -> e.kind().name())
        .containsExactly("TIMED_OUT");
  }

  @Test
  void oneProcessUsesTheFileSoItsTimeIsTheProcesssOwn() {
    assertThat(store.sharedClock()).isFalse();
  }

  @Test
  void connectionsUseWalFullSyncForeignKeysAndABusyTimeout() throws SQLException {
    store.close();
    try (var connection = SqliteDatabase.dataSource(file()).getConnection();
        var statement = connection.createStatement()) {
      assertThat(pragma(statement, "journal_mode")).isEqualTo("wal");
      assertThat(pragma(statement, "synchronous")).isEqualTo("2");
      assertThat(pragma(statement, "foreign_keys")).isEqualTo("1");
      assertThat(pragma(statement, "busy_timeout"))
          .isEqualTo(String.valueOf(SqliteDatabase.BUSY_TIMEOUT.toMillis()));
    }
  }

  @Test
  void searchWordsWaitInAQueueThatEverySearchEmptiesFirstAndTheIndexerEmptiesWithinAPeriod()
      throws Exception {
    store.close();
    var ada = pending();
    var bob = pending();
    try (var rarely = JdbcStore.sqlite(file(), Duration.ofHours(1))) {
      rarely.createInvocation(ada, List.of(), List.of());
      rarely.createInvocation(bob, List.of(), List.of());
      rarely.insertCallback(callback(ada.id(), "d1"), event(ada.id(), "CALLBACK_RECEIVED"));

      assertThat(count("SELECT count(*) FROM extsvc_search_pending")).isPositive();
      assertThat(indexed("approved")).as("not in a document yet").isZero();
      assertThat(rarely.invocations(InvocationQuery.all(10).withText("approved")))
          .extracting(InvocationRow::id)
          .containsExactly(ada.id());
      assertThat(count("SELECT count(*) FROM extsvc_search_pending")).isZero();
      assertThat(indexed("approved")).isOne();
    }

    try (var reopened = JdbcStore.sqlite(file())) {
      reopened.insertCallback(callback(ada.id(), "d2"), event(ada.id(), "CALLBACK_RECEIVED"));
      reopened.insertCallback(callback(bob.id(), "d3"), event(bob.id(), "CALLBACK_RECEIVED"));

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(count("SELECT count(*) FROM extsvc_search_pending")).isZero();
                assertThat(indexed("approved")).isEqualTo(2);
              });
      assertThat(count("SELECT count(*) FROM extsvc_search_keys"))
          .as("one document each")
          .isEqualTo(2);
    }
  }

  private long indexed(String word) throws SQLException {
    return count(
        "SELECT count(*) FROM extsvc_search_docs WHERE extsvc_search_docs MATCH '\""
            + word
            + "\"'");
  }

  private long count(String sql) throws SQLException {
    try (var connection = SqliteDatabase.dataSource(file()).getConnection();
        var statement = connection.createStatement();
        var result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static String pragma(java.sql.Statement statement, String name) throws SQLException {
    try (var result = statement.executeQuery("PRAGMA " + name)) {
      result.next();
      return result.getString(1);
    }
  }
}
