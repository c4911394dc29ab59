package dev.extsvc.store.jdbc;

import static dev.extsvc.store.jdbc.Fixtures.T0;
import static dev.extsvc.store.jdbc.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.Store;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

/**
 * A store left at migration 17, whose search index held one row per stored document, for the tests
 * that V18 upgrades it in place.
 */
final class SearchUpgrade {
  private SearchUpgrade() {}

  /**
   * Migrates the database to V17 and writes one invocation with two indexed documents the way the
   * store did then (its request, a callback body); its id.
   */
  static UUID atV17(String url, @Nullable String user, @Nullable String password, String folder)
      throws SQLException {
    Flyway.configure(SearchUpgrade.class.getClassLoader())
        .dataSource(url, user, password)
        .locations("classpath:" + folder)
        .table(Migrations.HISTORY_TABLE)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target("17")
        .load()
        .migrate();
    UUID id = Fixtures.uuid7At(T0);
    boolean sqlite = url.startsWith("jdbc:sqlite:");
    Object key = sqlite ? id.toString() : id;
    try (var c = DriverManager.getConnection(url, user, password)) {
      try (var insert =
          c.prepareStatement(
              "INSERT INTO extsvc_invocations (id, service, operation, async, status, request,"
                  + " submit_time, deadline) VALUES (?, 'acme', 'submit', ?, 'PENDING', '{}', ?, ?)")) {
        insert.setObject(1, key);
        insert.setObject(2, sqlite ? (Object) 1 : (Object) true);
        insert.setLong(3, T0.toEpochMilli() * 1000);
        insert.setLong(4, T0.toEpochMilli() * 1000 + 86_400_000_000L);
        insert.executeUpdate();
      }
      try (var insert =
          c.prepareStatement("INSERT INTO extsvc_search (invocation_id, content) VALUES (?, ?)")) {
        for (String words : new String[] {"ada lovelace acme 1004", "approved"}) {
          insert.setObject(1, key);
          insert.setString(2, words);
          insert.executeUpdate();
        }
      }
    }
    return id;
  }

  /** The upgraded store finds the invocation by either document's words, and indexes new ones. */
  static void assertSearchable(Store store, UUID id) {
    assertThat(ids(store, "ACME-1004")).containsExactly(id);
    assertThat(ids(store, "lovelace approved")).containsExactly(id);
    assertThat(ids(store, "grace")).isEmpty();
    store.recordSyncAnswer(id, 201, "{}", "{\"applicationNumber\":\"Z-77\"}", event(id, "CALLOUT"));
    assertThat(ids(store, "z-77 lovelace")).containsExactly(id);
  }

  private static java.util.List<UUID> ids(Store store, String text) {
    return store.invocations(InvocationQuery.all(10).withText(text)).stream()
        .map(InvocationRow::id)
        .toList();
  }
}
