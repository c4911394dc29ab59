package dev.extsvc.server;

import dev.extsvc.store.jdbc.Dialect;
import dev.extsvc.store.jdbc.JdbcStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The mock as a signed, early, correlated sender on PostgreSQL, where the early hold and its
 * delivery are the database's statements and time.
 */
class PostgresMockCorrelationEndToEndTest extends MockCorrelationEndToEndTest {
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
  InstantSource senderClock(Fixture f) {
    return InstantSource.system();
  }

  @Override
  JdbcStore store(Path dir) {
    return JdbcStore.create(postgres.getPostgresDatabase(), Dialect.POSTGRESQL);
  }
}
