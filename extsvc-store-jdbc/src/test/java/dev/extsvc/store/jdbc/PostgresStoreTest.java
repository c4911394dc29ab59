package dev.extsvc.store.jdbc;

import static dev.extsvc.store.jdbc.Fixtures.T0;
import static dev.extsvc.store.jdbc.Fixtures.callback;
import static dev.extsvc.store.jdbc.Fixtures.event;
import static dev.extsvc.store.jdbc.Fixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One PostgreSQL server for the class; each test gets a schema of its own. */
class PostgresStoreTest extends StoreContractTest {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static EmbeddedPostgres postgres;
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private String schema;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (var closeable : cleanup.reversed()) {
      closeable.close();
    }
  }

  @Override
  protected Store openStore() throws SQLException {
    schema = "test_" + SCHEMAS.incrementAndGet();
    execute("CREATE SCHEMA " + schema);
    return JdbcStore.postgres(url(postgres, schema), "postgres", "postgres");
  }

  @Override
  protected Store reopenStore() {
    return JdbcStore.postgres(url(postgres, schema), "postgres", "postgres");
  }

  /**
   * A role whose transactions are read-only, as on a standby or a database set read-only by its
   * operator.
   */
  @Override
  protected Store unavailableStore() throws SQLException {
    var reader = schema + "_reader";
    execute("CREATE ROLE " + reader + " LOGIN");
    execute("ALTER ROLE " + reader + " SET default_transaction_read_only = on");
    execute("GRANT USAGE ON SCHEMA " + schema + " TO " + reader);
    execute("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA " + schema + " TO " + reader);
    return JdbcStore.create(pool(url(postgres, schema), reader), Dialect.POSTGRESQL);
  }

  @Test
  void severalNodesShareTheDatabaseSoItsClockIsTheirs() {
    assertThat(store.sharedClock()).isTrue();
    var before = java.time.Instant.now().minusSeconds(5);
    assertThat(store.sharedTime()).isBetween(before, java.time.Instant.now().plusSeconds(5));
  }

  @Test
  void aReadOnlyDatabaseStillAnswersReads() throws SQLException {
    try (var readOnly = unavailableStore()) {
      assertThat(readOnly.services()).isEmpty();
      assertThat(readOnly.healthy()).isTrue();
      assertThatThrownBy(() -> readOnly.saveService(new ServiceRow("acme", "1", "{}", T0)))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("25006");
    }
  }

  @Test
  void aServerThatGoesDownMakesTheStoreUnavailableAndUnhealthy() throws IOException {
    var doomed = EmbeddedPostgres.start();
    try (var store =
        JdbcStore.create(pool(url(doomed, "public"), "postgres"), Dialect.POSTGRESQL)) {
      store.saveService(new ServiceRow("acme", "1", "{}", T0));
      doomed.close();

      assertThat(store.healthy()).isFalse();
      assertThatThrownBy(store::services).isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> store.saveService(new ServiceRow("acme", "2", "{}", T0)))
          .isInstanceOf(StoreUnavailableException.class);
    }
    assertThatThrownBy(() -> JdbcStore.postgres(url(doomed, "public"), "postgres", "postgres"))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("refused");
  }

  @Test
  void tablesCanShareADatabaseThatIsAlreadyInUse() throws SQLException {
    var shared = "shared_" + SCHEMAS.incrementAndGet();
    execute("CREATE SCHEMA " + shared);
    execute("CREATE TABLE " + shared + ".orders (id bigint PRIMARY KEY)");

    try (var store = JdbcStore.postgres(url(postgres, shared), "postgres", "postgres")) {
      assertThat(store.services()).isEmpty();
    }
  }

  @Test
  void aPostgresDataSourceIsRecognisedByItsProductNameAndWritesOnTheCallingThread() {
    var source = pool(url(postgres, schema), "postgres");

    assertThat(Dialect.of(source)).isEqualTo(Dialect.POSTGRESQL);
    try (var recognised = JdbcStore.create(source)) {
      recognised.saveService(new ServiceRow("acme", "1", "{}", T0));
      assertThat(store.services()).extracting(ServiceRow::name).containsExactly("acme");
      assertThat(recognised.writesOnCallingThread()).isTrue();
    }
  }

  @Test
  void aFirstDeliveryIsOneStatementToStoreAndLeaseItAndOneToCompleteIt() {
    var statements = new AtomicInteger();
    var source = counting(pool(url(postgres, schema), "postgres"), statements);
    // The indexer rarely: its moves of queued words would count as this test's statements.
    try (var counted = JdbcStore.create(source, Dialect.POSTGRESQL, Duration.ofHours(1))) {
      var invocation = pending();
      counted.createInvocation(invocation, List.of(), List.of());
      var row = callback(invocation.id(), "d1");

      statements.set(0);
      var insert =
          counted.insertCallbackAndClaim(
              row, event(invocation.id(), "CALLBACK_RECEIVED"), "node-a", T0.plusSeconds(90));
      assertThat(statements).as("callback, event, lease and the body's search words").hasValue(1);

      statements.set(0);
      var completed =
          counted.completeWithCallback(
              insert.lease(),
              T0.plusSeconds(62),
              List.of(event(invocation.id(), "HANDLER_OK"), event(invocation.id(), "COMPLETED")));
      assertThat(statements).as("fence, callback, invocation and events").hasValue(1);

      assertThat(completed).isTrue();
      assertThat(store.invocation(invocation.id()))
          .get()
          .extracting(InvocationRow::status)
          .isEqualTo(InvocationStatus.COMPLETED);
      assertThat(store.callbacks(invocation.id()))
          .singleElement()
          .satisfies(c -> assertThat(c.outcome().name()).isEqualTo("HANDLED"));
      assertThat(store.events(invocation.id()))
          .extracting(EventRow::kind)
          .containsExactly(EventKind.CALLBACK_RECEIVED, EventKind.HANDLER_OK, EventKind.COMPLETED);
    }
  }

  @Test
  void searchWordsWaitInAQueueThatEverySearchEmptiesFirstAndTheIndexerEmptiesWithinAPeriod()
      throws Exception {
    var ada = pending();
    var bob = pending();
    var url = url(postgres, schema);
    try (var rarely =
        JdbcStore.create(pool(url, "postgres"), Dialect.POSTGRESQL, Duration.ofHours(1))) {
      rarely.createInvocation(ada, List.of(), List.of());
      rarely.createInvocation(bob, List.of(), List.of());
      rarely.insertCallbackAndClaim(
          callback(ada.id(), "d1"),
          event(ada.id(), "CALLBACK_RECEIVED"),
          "node-a",
          T0.plusSeconds(90));

      assertThat(count("SELECT count(*) FROM extsvc_search_pending")).isPositive();
      assertThat(documentsWith("approved")).as("not in a document yet").isZero();
      assertThat(rarely.invocations(InvocationQuery.all(10).withText("approved")))
          .extracting(InvocationRow::id)
          .containsExactly(ada.id());
      assertThat(count("SELECT count(*) FROM extsvc_search_pending")).isZero();
      assertThat(documentsWith("approved")).isOne();
    }

    store.insertCallback(callback(ada.id(), "d2"), event(ada.id(), "CALLBACK_RECEIVED"));
    store.insertCallback(callback(bob.id(), "d3"), event(bob.id(), "CALLBACK_RECEIVED"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(count("SELECT count(*) FROM extsvc_search_pending")).isZero();
              assertThat(documentsWith("approved")).isEqualTo(2);
            });
    assertThat(count("SELECT count(*) FROM extsvc_search_docs"))
        .as("one document each")
        .isEqualTo(2);
    assertThat(
            count(
                "SELECT count(*) FROM extsvc_search_docs WHERE invocation_id = '"
                    + ada.id()
                    + "' AND content LIKE '%approved%approved%'"))
        .as("both callbacks' words in ada's document")
        .isOne();
  }

  /**
   * Another node moving queued words holds the movers' lock: a search waits for it, then moves what
   * is left, so that it finds every word committed before it began even while the other node's
   * batch was in flight.
   */
  @Test
  void aSearchWaitsForAnotherNodesMoverAndThenFindsEveryWord() throws Exception {
    var ada = pending();
    var url = url(postgres, schema);
    try (var rarely =
            JdbcStore.create(pool(url, "postgres"), Dialect.POSTGRESQL, Duration.ofHours(1));
        var otherNode = pool(url, "postgres").getConnection()) {
      rarely.createInvocation(ada, List.of(), List.of());
      rarely.insertCallback(callback(ada.id(), "d1"), event(ada.id(), "CALLBACK_RECEIVED"));
      otherNode.setAutoCommit(false);
      try (var lock = otherNode.createStatement()) {
        lock.execute("SELECT pg_advisory_xact_lock(7305206611723591)");
      }

      var search =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> rarely.invocations(InvocationQuery.all(10).withText("approved")));
      Thread.sleep(300);
      assertThat(search).as("waiting for the other node's mover").isNotDone();
      otherNode.commit();

      assertThat(search.get(10, java.util.concurrent.TimeUnit.SECONDS))
          .extracting(InvocationRow::id)
          .containsExactly(ada.id());
      assertThat(count("SELECT count(*) FROM extsvc_search_pending")).isZero();
    }
  }

  private long documentsWith(String word) throws SQLException {
    return count(
        "SELECT count(*) FROM extsvc_search_docs WHERE words @@ plainto_tsquery('simple', '"
            + word
            + "')");
  }

  private long count(String sql) throws SQLException {
    try (var connection =
            java.sql.DriverManager.getConnection(url(postgres, schema), "postgres", "postgres");
        var statement = connection.createStatement();
        var result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  /**
   * The source, counting the statements prepared on its connections (those writing the search index
   * alone apart).
   */
  private static DataSource counting(DataSource source, AtomicInteger statements) {
    return (DataSource)
        Proxy.newProxyInstance(
            PostgresStoreTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              Object result = invoke(source, method, args);
              return result instanceof Connection c ? countingConnection(c, statements) : result;
            });
  }

  private static Connection countingConnection(Connection connection, AtomicInteger statements) {
    return (Connection)
        Proxy.newProxyInstance(
            PostgresStoreTest.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("prepareStatement")
                  && !((String) args[0]).startsWith("INSERT INTO extsvc_search")) {
                statements.incrementAndGet();
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

  private HikariDataSource pool(String url, String user) {
    var config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setConnectionTimeout(1000);
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(0); // no background refills to wait for when a test's server is gone
    var pool = new HikariDataSource(config);
    cleanup.add(pool);
    return pool;
  }

  private static void execute(String sql) throws SQLException {
    try (var connection = postgres.getPostgresDatabase().getConnection();
        var statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  @Test
  void aStoreIndexedOneRowPerDocumentIsSearchedAlikeAfterV18() throws Exception {
    String v17 = "test_v17_" + SCHEMAS.incrementAndGet();
    execute("CREATE SCHEMA " + v17);
    UUID id =
        SearchUpgrade.atV17(url(postgres, v17), "postgres", "postgres", "db/migration/postgresql");
    try (var upgraded = JdbcStore.postgres(url(postgres, v17), "postgres", "postgres")) {
      SearchUpgrade.assertSearchable(upgraded, id);
    }
  }

  @Test
  void anInvocationsStatusDeadlineAndLeaseWrittenBeforeV21AreItsStateAfter() throws Exception {
    String v19 = "test_v19_" + SCHEMAS.incrementAndGet();
    execute("CREATE SCHEMA " + v19);
    var written =
        StateUpgrade.beforeV21(
            url(postgres, v19), "postgres", "postgres", "db/migration/postgresql", "19");
    try (var upgraded = JdbcStore.postgres(url(postgres, v19), "postgres", "postgres")) {
      StateUpgrade.assertStateKept(upgraded, written);
    }
  }

  private static String url(EmbeddedPostgres server, String schema) {
    return "jdbc:postgresql://localhost:" + server.getPort() + "/postgres?currentSchema=" + schema;
  }
}
