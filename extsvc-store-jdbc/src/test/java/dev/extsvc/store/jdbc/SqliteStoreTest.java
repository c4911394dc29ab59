package dev.extsvc.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.Store;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.UUID;
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

  private static String pragma(java.sql.Statement statement, String name) throws SQLException {
    try (var result = statement.executeQuery("PRAGMA " + name)) {
      result.next();
      return result.getString(1);
    }
  }
}
