package dev.extsvc.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/** The databases {@link JdbcStore} speaks. */
public enum Dialect {
  /** An embedded file database: one writer at a time, JDBC calls kept off virtual threads. */
  SQLITE("db/migration/sqlite"),
  /** A server database that several nodes can share. */
  POSTGRESQL("db/migration/postgresql");

  private final String migrations;

  Dialect(String migrations) {
    this.migrations = migrations;
  }

  String migrations() {
    return "classpath:" + migrations;
  }

  /** SQLite keeps UUIDs as text; PostgreSQL needs a typed {@code uuid} parameter. */
  void setUuid(PreparedStatement statement, int index, UUID id) throws SQLException {
    if (this == POSTGRESQL) {
      statement.setObject(index, id);
    } else {
      statement.setString(index, id.toString());
    }
  }
}
