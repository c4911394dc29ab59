package dev.extsvc.server;

import dev.extsvc.store.jdbc.JdbcStore;
import java.nio.file.Path;

/** Progress callbacks, heartbeats and extensions end to end on SQLite. */
class SqliteProgressCallbacksTest extends ProgressCallbacksTest {
  @Override
  JdbcStore store(Path dir) {
    return JdbcStore.sqlite(dir.resolve("extsvc.db"));
  }
}
