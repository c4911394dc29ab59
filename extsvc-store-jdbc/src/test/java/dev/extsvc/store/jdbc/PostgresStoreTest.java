package dev.extsvc.store.jdbc;

import static dev.extsvc.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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

  /** A server that was shut down under a running store. */
  @Override
  protected Store unavailableStore() throws IOException {
    var doomed = EmbeddedPostgres.start();
    var store = JdbcStore.create(pool(url(doomed, "public"), "postgres"), Dialect.POSTGRESQL);
    doomed.close();
    return store;
  }

  @Test
  void aServerThatIsDownIsNotHealthy() throws IOException {
    try (var down = unavailableStore()) {
      assertThat(down.healthy()).isFalse();
    }
  }

  @Test
  void aReadOnlyDatabaseIsReportedAsUnavailable() throws SQLException {
    execute("CREATE ROLE " + schema + "_reader LOGIN");
    execute("ALTER ROLE " + schema + "_reader SET default_transaction_read_only = on");
    execute("GRANT USAGE ON SCHEMA " + schema + " TO " + schema + "_reader");
    execute("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA " + schema + " TO " + schema + "_reader");

    try (var readOnly = JdbcStore.create(pool(url(postgres, schema), schema + "_reader"), Dialect.POSTGRESQL)) {
      assertThat(readOnly.services()).isEmpty();
      assertThatThrownBy(() -> readOnly.saveService(new ServiceRow("acme", "1", "{}", T0)))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("25006");
    }
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

  private HikariDataSource pool(String url, String user) {
    var config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setConnectionTimeout(1000);
    config.setMaximumPoolSize(2);
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

  private static String url(EmbeddedPostgres server, String schema) {
    return "jdbc:postgresql://localhost:" + server.getPort() + "/postgres?currentSchema=" + schema;
  }
}
