package dev.extsvc.store.jdbc;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Brings a database's extsvc tables to the current schema, from the Flyway folder of its dialect.
 */
final class Migrations {
  /**
   * Our own history table, so the store can share a database that already uses Flyway for itself.
   */
  static final String HISTORY_TABLE = "extsvc_schema_history";

  private Migrations() {}

  static void migrate(DataSource source, JdbcDialect dialect) {
    Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(source)
        .locations("classpath:" + dialect.migrationFolder())
        .table(HISTORY_TABLE)
        // A user's database is rarely empty; baseline at 0 so that our V1 still runs there.
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }
}
