package dev.extsvc.bench;

import dev.extsvc.runtime.store.SearchText;
import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Loads waiting invocations straight into the store's schema, since a million one-by-one {@code
 * createInvocation} calls would take longer than the figures they are for. The store creates the
 * schema (its migrations) and registers Acme first; then SQLite gets batched prepared inserts and
 * PostgreSQL gets {@code COPY}, one transaction per {@link #CHUNK} invocations. The search index
 * gets one document per invocation with the words of its request and synchronous answer, as the
 * store writes them ({@link SearchText#indexedWords}; on SQLite a key in {@code
 * extsvc_search_keys}, the row's number, and the document under it in {@code extsvc_search_docs};
 * on PostgreSQL the document in {@code extsvc_search_docs}). Afterwards SQLite's WAL is
 * checkpointed and PostgreSQL is analysed, as its autovacuum would do.
 */
final class BulkLoader {
  static final int CHUNK = 20_000;

  private BulkLoader() {}

  static void load(Databases.Fresh db, WaitingRows rows) {
    try (JdbcStore store = db.openStore()) {
      store.saveService(new ServiceRow(Specs.ACME, "1.0", Specs.acme(), Instant.now()));
    }
    try (Connection c = db.connect()) {
      if (db.kind() == StoreKind.SQLITE) {
        // The loader is not what is measured: no fsync per chunk (the file is checkpointed and
        // synced at the end), and a page cache that holds a chunk's pages.
        try (var s = c.createStatement()) {
          s.execute("PRAGMA synchronous = OFF");
          s.execute("PRAGMA cache_size = -262144");
        }
      }
      c.setAutoCommit(false);
      for (int from = 0; from < rows.count(); from += CHUNK) {
        int to = Math.min(rows.count(), from + CHUNK);
        if (db.kind() == StoreKind.SQLITE) {
          sqliteChunk(c, rows, from, to);
        } else {
          postgresChunk(c, rows, from, to);
        }
        c.commit();
      }
      c.setAutoCommit(true);
      try (var s = c.createStatement()) {
        s.execute(
            db.kind() == StoreKind.SQLITE ? "PRAGMA wal_checkpoint(TRUNCATE)" : "VACUUM ANALYZE");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("bulk load into " + db.jdbcUrl() + " failed", e);
    }
  }

  private static void sqliteChunk(Connection c, WaitingRows rows, int from, int to)
      throws SQLException {
    try (PreparedStatement inv =
            c.prepareStatement(
                "INSERT INTO extsvc_invocations (id, service, operation, async,"
                    + " handler_type, handler_state, request, sync_status, sync_headers, sync_body, submit_time)"
                    + " VALUES (?, ?, ?, 1, ?, ?, ?, 201, ?, ?, ?)");
        PreparedStatement state =
            c.prepareStatement(
                "INSERT INTO extsvc_invocation_state (id, status, deadline, at)"
                    + " VALUES (?, 'PENDING', ?, ?)");
        PreparedStatement tok =
            c.prepareStatement(
                "INSERT INTO extsvc_callback_tokens (token_hash, invocation_id, target, callback_keys) VALUES (?, ?, ?, ?)");
        PreparedStatement ev =
            c.prepareStatement(
                "INSERT INTO extsvc_events (invocation_id, at, kind, message) VALUES (?, ?, ?, ?)");
        PreparedStatement key =
            c.prepareStatement(
                "INSERT INTO extsvc_search_keys (key, invocation_id) VALUES (?, ?)");
        PreparedStatement doc =
            c.prepareStatement("INSERT INTO extsvc_search_docs (rowid, content) VALUES (?, ?)")) {
      for (int i = from; i < to; i++) {
        WaitingRows.Invocation r = rows.invocation(i);
        String id = r.id().toString();
        inv.setString(1, id);
        inv.setString(2, r.service());
        inv.setString(3, r.operation());
        inv.setString(4, WaitingRows.HANDLER);
        inv.setString(5, r.handlerState());
        inv.setString(6, r.request());
        inv.setString(7, WaitingRows.SYNC_HEADERS);
        inv.setString(8, WaitingRows.syncBody(i));
        inv.setLong(9, r.submitMicros());
        inv.executeUpdate();
        state.setString(1, id);
        state.setLong(2, r.deadlineMicros());
        state.setLong(3, r.submitMicros()); // the last activity until the events move it (V22)
        state.executeUpdate();
        for (int t = 0; t < WaitingRows.TARGETS.size(); t++) {
          tok.setBytes(1, rows.tokenHash());
          tok.setString(2, id);
          tok.setString(3, WaitingRows.TARGETS.get(t));
          tok.setString(4, WaitingRows.KEYS.get(t));
          tok.executeUpdate();
        }
        for (String[] e : WaitingRows.events(r)) {
          ev.setString(1, id);
          ev.setLong(2, r.submitMicros());
          ev.setString(3, e[0]);
          ev.setString(4, e[1]);
          ev.executeUpdate();
        }
        key.setLong(1, i + 1L);
        key.setString(2, id);
        key.executeUpdate();
        doc.setLong(1, i + 1L);
        doc.setString(2, words(r, i));
        doc.executeUpdate();
      }
    }
  }

  private static void postgresChunk(Connection c, WaitingRows rows, int from, int to)
      throws SQLException {
    StringBuilder inv = new StringBuilder(to - from << 10);
    StringBuilder state = new StringBuilder(to - from << 6);
    StringBuilder tok = new StringBuilder(to - from << 8);
    StringBuilder ev = new StringBuilder(to - from << 9);
    StringBuilder search = new StringBuilder(to - from << 7);
    HexFormat hex = HexFormat.of();
    for (int i = from; i < to; i++) {
      WaitingRows.Invocation r = rows.invocation(i);
      String id = r.id().toString();
      line(
          inv,
          id,
          r.service(),
          r.operation(),
          "t",
          WaitingRows.HANDLER,
          r.handlerState(),
          r.request(),
          "201",
          WaitingRows.SYNC_HEADERS,
          WaitingRows.syncBody(i),
          Long.toString(r.submitMicros()));
      line(state, id, "PENDING", Long.toString(r.deadlineMicros()));
      for (int t = 0; t < WaitingRows.TARGETS.size(); t++) {
        line(
            tok,
            "\\x" + hex.formatHex(rows.tokenHash()),
            id,
            WaitingRows.TARGETS.get(t),
            WaitingRows.KEYS.get(t));
      }
      for (String[] e : WaitingRows.events(r)) {
        line(ev, id, Long.toString(r.submitMicros()), e[0], e[1]);
      }
      line(search, id, words(r, i));
    }
    CopyManager copy = new CopyManager(c.unwrap(BaseConnection.class));
    try {
      copy.copyIn(
          "COPY extsvc_invocations (id, service, operation, async, handler_type, handler_state,"
              + " request, sync_status, sync_headers, sync_body, submit_time) FROM STDIN",
          new StringReader(inv.toString()));
      copy.copyIn(
          "COPY extsvc_invocation_state (id, status, deadline) FROM STDIN",
          new StringReader(state.toString()));
      copy.copyIn(
          "COPY extsvc_callback_tokens (token_hash, invocation_id, target, callback_keys) FROM STDIN",
          new StringReader(tok.toString()));
      copy.copyIn(
          "COPY extsvc_events (invocation_id, at, kind, message) FROM STDIN",
          new StringReader(ev.toString()));
      copy.copyIn(
          "COPY extsvc_search_docs (invocation_id, content) FROM STDIN",
          new StringReader(search.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The invocation's search document, as the store appends the answer's words to the request's. */
  private static String words(WaitingRows.Invocation r, int i) {
    return SearchText.indexedWords(r.request())
        + " "
        + SearchText.indexedWords(WaitingRows.syncBody(i));
  }

  /** One line of COPY's text format: tab-separated, with backslash, tab and line breaks escaped. */
  private static void line(StringBuilder out, String... values) {
    for (int v = 0; v < values.length; v++) {
      if (v > 0) {
        out.append('\t');
      }
      String value = values[v];
      // The bytea literal's own backslash must reach PostgreSQL as one, so it is escaped like any
      // other.
      for (int k = 0; k < value.length(); k++) {
        char ch = value.charAt(k);
        switch (ch) {
          case '\\' -> out.append("\\\\");
          case '\t' -> out.append("\\t");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          default -> out.append(ch);
        }
      }
    }
    out.append('\n');
  }
}
