package dev.extsvc.store.jdbc;

import static dev.extsvc.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.StoreUnavailableException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Which dialect a database gets, what an unsupported one is told, and what each dialect decides.
 */
class DialectTest {
  @TempDir Path directory;

  @Test
  void anSqliteDataSourceIsRecognisedByItsProductNameAndGetsAWorkingStore() {
    var source = sqliteSource(directory.resolve("recognised.db"));

    assertThat(Dialect.of(source)).isEqualTo(Dialect.SQLITE);
    try (var store = JdbcStore.create(source)) {
      store.saveService(new ServiceRow("acme", "1", "{}", T0));
      assertThat(store.services()).extracting(ServiceRow::name).containsExactly("acme");
      assertThat(store.writesOnCallingThread()).as("SQLite writes on its writer thread").isFalse();
    }
  }

  @Test
  void productNamesAreRecognisedWhateverTheirCase() {
    assertThat(Dialect.ofProduct("SQLite")).isEqualTo(Dialect.SQLITE);
    assertThat(Dialect.ofProduct("PostgreSQL")).isEqualTo(Dialect.POSTGRESQL);
    assertThat(Dialect.ofProduct("postgresql")).isEqualTo(Dialect.POSTGRESQL);
  }

  @Test
  void anUnsupportedDataSourceFailsNamingItsDatabaseAndTheSupportedOnes() {
    var h2 = reporting("H2");

    assertThatThrownBy(() -> Dialect.of(h2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "The data source's database is H2, which the store does not support"
                + " (it supports SQLite and PostgreSQL)");
    assertThatThrownBy(() -> JdbcStore.create(reporting("MySQL")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is MySQL,")
        .hasMessageContaining("SQLite and PostgreSQL");
  }

  @Test
  void aDataSourceThatCannotConnectIsUnavailableRatherThanUnsupported() {
    var nowhere = sqliteSource(directory.resolve("missing").resolve("directory").resolve("x.db"));

    assertThatThrownBy(() -> Dialect.of(nowhere))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith("Cannot reach the data source to recognise its database");
  }

  @Test
  void aMySqlUrlForPostgresFailsBeforeConnectingAndWithoutEchoingTheUrl() {
    assertThatThrownBy(
            () ->
                JdbcStore.postgres("jdbc:mysql://db.internal:3306/app?password=hunter2", "u", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Expected a PostgreSQL JDBC URL (jdbc:postgresql:...), got one for jdbc:mysql:..., a database"
                + " the store does not support (it supports SQLite and PostgreSQL)")
        .message()
        .doesNotContain("hunter2")
        .doesNotContain("db.internal");
    assertThatThrownBy(() -> JdbcStore.postgres("jdbc:h2:mem:orders", "sa", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:h2:mem:...");
  }

  @Test
  void anSqliteUrlForPostgresIsNamedAsSuch() {
    assertThatThrownBy(() -> JdbcStore.postgres("jdbc:sqlite:" + directory.resolve("x.db"), "", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Expected a PostgreSQL JDBC URL (jdbc:postgresql:...), got one for SQLite (jdbc:sqlite:...)");
    assertThatThrownBy(() -> JdbcStore.postgres("postgres://localhost/app", "", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("got one that does not start with jdbc:");
    assertThatThrownBy(() -> JdbcStore.postgres("jdbc://localhost/app", "", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("got one that names no database after jdbc:");
  }

  @Test
  void urlsAreRecognisedBehindWrappersButNotByAnAddressThatMerelyMentionsADatabase() {
    assertThat(Dialect.ofUrl("jdbc:postgresql://localhost:5432/app")).contains(Dialect.POSTGRESQL);
    assertThat(Dialect.ofUrl("JDBC:PostgreSQL://localhost/app")).contains(Dialect.POSTGRESQL);
    assertThat(Dialect.ofUrl("jdbc:tc:postgresql:16:///app")).contains(Dialect.POSTGRESQL);
    assertThat(Dialect.ofUrl("jdbc:p6spy:postgresql://localhost/app")).contains(Dialect.POSTGRESQL);
    assertThat(Dialect.ofUrl("jdbc:sqlite::memory:")).contains(Dialect.SQLITE);
    assertThat(Dialect.ofUrl("jdbc:sqlite:/var/lib/extsvc.db")).contains(Dialect.SQLITE);
    assertThat(Dialect.ofUrl("jdbc:sqlite:postgresql")).contains(Dialect.SQLITE);
    assertThat(Dialect.ofUrl("jdbc:postgresql://sqlite/app")).contains(Dialect.POSTGRESQL);
    assertThat(Dialect.ofUrl("jdbc:mysql://postgresql/app")).isEmpty();
    assertThat(Dialect.ofUrl("postgresql://localhost/app")).isEmpty();
  }

  @Test
  void everyRegisteredDialectHasItsMigrations() {
    for (var dialect : Dialect.values()) {
      var first = dialect.jdbc().migrationFolder() + "/V1__extsvc_schema.sql";
      assertThat(getClass().getClassLoader().getResource(first)).as(first).isNotNull();
    }
  }

  @Test
  void onlySqliteKeepsAStatementCache() {
    assertThat(Dialect.SQLITE.jdbc().newStatementCache()).isNotNull();
    assertThat(Dialect.POSTGRESQL.jdbc().newStatementCache()).isNull();
  }

  @Test
  void sqliteCodesForABusyOrReadOnlyFileAreUnavailableAndAViolatedConstraintIsNot() {
    var sqlite = Dialect.SQLITE.jdbc();
    assertThat(sqlite.unavailable(new SQLiteException("busy", SQLiteErrorCode.SQLITE_BUSY)))
        .isTrue();
    assertThat(
            sqlite.unavailable(
                new SQLiteException("read-only", SQLiteErrorCode.SQLITE_READONLY_DBMOVED)))
        .isTrue();
    assertThat(
            sqlite.unavailable(
                new SQLiteException("unique", SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE)))
        .isFalse();
    assertThat(sqlite.unavailable(new SQLiteException("syntax", SQLiteErrorCode.SQLITE_ERROR)))
        .isFalse();
  }

  @Test
  void postgresStatesForShutdownAndReadOnlyAreUnavailableAndAViolatedConstraintIsNot() {
    var postgres = Dialect.POSTGRESQL.jdbc();
    assertThat(postgres.unavailable(new SQLException("admin shutdown", "57P01"))).isTrue();
    assertThat(postgres.unavailable(new SQLException("read-only transaction", "25006"))).isTrue();
    assertThat(postgres.unavailable(new SQLException("too many connections", "53300"))).isTrue();
    assertThat(postgres.unavailable(new SQLException("duplicate key", "23505"))).isFalse();
    assertThat(postgres.unavailable(new SQLException("syntax error", "42601"))).isFalse();
  }

  @Test
  void poolTimeoutsAndLostConnectionsAreUnavailableOnEveryDialect() {
    for (var dialect : Dialect.values()) {
      var jdbc = dialect.jdbc();
      assertThat(jdbc.unavailable(new SQLTransientConnectionException("pool timed out")))
          .as(dialect.name())
          .isTrue();
      assertThat(jdbc.unavailable(new SQLException("connection closed")))
          .as(dialect.name())
          .isTrue();
      assertThat(jdbc.unavailable(new SQLException("connection is closed", "08003")))
          .as(dialect.name())
          .isTrue();
      assertThat(jdbc.unavailable(new SQLIntegrityConstraintViolationException("dup", "23000")))
          .as(dialect.name())
          .isFalse();
    }
  }

  @Test
  void theStatementCacheKeepsOneStatementPerSqlOnTheDriversOwnConnection() throws SQLException {
    var cache = SqliteDialect.INSTANCE.newStatementCache();
    try (var connection = sqliteSource(directory.resolve("cache.db")).getConnection()) {
      var first = cache.statement(connection, "SELECT 1");
      assertThat(first).isNotNull().isSameAs(cache.statement(connection, "SELECT 1"));
      assertThat(first.getConnection()).isInstanceOf(SQLiteConnection.class);
      assertThat(cache.statement(reporting("PostgreSQL").getConnection(), "SELECT 1")).isNull();
    }
  }

  private static SQLiteDataSource sqliteSource(Path file) {
    var source = new SQLiteDataSource();
    source.setUrl("jdbc:sqlite:" + file);
    return source;
  }

  /**
   * A data source of some other database, as far as the store can tell before it runs a statement:
   * it reports a product name and nothing else (the store has no H2 or MySQL driver to open a real
   * one with).
   */
  private static DataSource reporting(String productName) {
    var metaData =
        (DatabaseMetaData)
            Proxy.newProxyInstance(
                DialectTest.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getDatabaseProductName" -> productName;
                      default -> throw new UnsupportedOperationException(method.getName());
                    });
    var connection =
        (Connection)
            Proxy.newProxyInstance(
                DialectTest.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getMetaData" -> metaData;
                      case "isWrapperFor" -> false;
                      case "close" -> null;
                      default -> throw new UnsupportedOperationException(method.getName());
                    });
    return (DataSource)
        Proxy.newProxyInstance(
            DialectTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getConnection" -> connection;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
