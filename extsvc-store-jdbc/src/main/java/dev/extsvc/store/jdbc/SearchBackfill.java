package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.SearchText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Fills the search index for the rows written before it existed (migration 15.1), with the same
 * words the store writes for new ones. Public only for Flyway, which instantiates one subclass per
 * dialect's migration folder.
 */
public abstract class SearchBackfill extends BaseJavaMigration {
  private static final int BATCH = 500;

  /** The index as V15 made it, one row per document (V18 gathers them per invocation). */
  private static final String INSERT_SEARCH =
      "INSERT INTO extsvc_search (invocation_id, content) VALUES (?, ?)";

  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    try (PreparedStatement insert = c.prepareStatement(INSERT_SEARCH)) {
      int pending = 0;
      try (PreparedStatement read =
              c.prepareStatement("SELECT id, request, sync_body FROM extsvc_invocations");
          ResultSet rows = read.executeQuery()) {
        while (rows.next()) {
          pending += add(insert, rows.getObject(1), rows.getString(2));
          pending += add(insert, rows.getObject(1), rows.getString(3));
          pending = flush(insert, pending);
        }
      }
      try (PreparedStatement read =
              c.prepareStatement("SELECT invocation_id, body FROM extsvc_callbacks");
          ResultSet rows = read.executeQuery()) {
        while (rows.next()) {
          pending += add(insert, rows.getObject(1), rows.getString(2));
          pending = flush(insert, pending);
        }
      }
      if (pending > 0) {
        insert.executeBatch();
      }
    }
  }

  private static int add(PreparedStatement insert, Object invocationId, String json)
      throws SQLException {
    String words = SearchText.indexedWords(json);
    if (words.isEmpty()) {
      return 0;
    }
    insert.setObject(1, invocationId);
    insert.setString(2, words);
    insert.addBatch();
    return 1;
  }

  private static int flush(PreparedStatement insert, int pending) throws SQLException {
    if (pending < BATCH) {
      return pending;
    }
    insert.executeBatch();
    return 0;
  }
}
