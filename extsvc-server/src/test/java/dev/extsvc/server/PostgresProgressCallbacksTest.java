package dev.extsvc.server;

import dev.extsvc.store.jdbc.Dialect;
import dev.extsvc.store.jdbc.JdbcStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Progress callbacks, heartbeats and extensions end to end on PostgreSQL, where deadlines are the
 * database's time.
 */
class PostgresProgressCallbacksTest extends ProgressCallbacksTest {
  static EmbeddedPostgres postgres;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @BeforeEach
  void emptyDatabase() throws SQLException {
    try (var c = postgres.getPostgresDatabase().getConnection();
        var s = c.createStatement()) {
      s.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    }
  }

  @Override
  JdbcStore store(Path dir) {
    return JdbcStore.create(postgres.getPostgresDatabase(), Dialect.POSTGRESQL);
  }
}
