package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.InvocationRow;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite (xerial sqlite-jdbc): an embedded file, one writer at a time, native calls kept off
 * virtual threads, a driver that caches no statements, UUIDs kept as text.
 */
final class SqliteDialect extends JdbcDialect {
  static final SqliteDialect INSTANCE = new SqliteDialect();

  /** SQLite primary result codes that say "not now" rather than "wrong". */
  private static final Set<Integer> UNAVAILABLE_CODES =
      Set.of(
          3, // PERM
          5, // BUSY: busy_timeout elapsed
          6, // LOCKED
          7, // NOMEM
          8, // READONLY
          9, // INTERRUPT
          10, // IOERR
          11, // CORRUPT
          13, // FULL
          14, // CANTOPEN
          15, // PROTOCOL
          26); // NOTADB

  // INDEXED BY: without statistics SQLite picks the (status, id) index and sorts every PENDING row
  // per batch.
  private static final String PENDING_DUE_BEFORE =
      "SELECT "
          + Sql.INVOCATION_COLUMNS
          + " FROM extsvc_invocation_state s INDEXED BY extsvc_invocation_state_due"
          + " JOIN extsvc_invocations i ON i.id = s.id"
          + " WHERE s.status = 'PENDING' AND s.deadline < ? ORDER BY s.deadline LIMIT ?";

  // From the due index alone (it holds the key); INDEXED BY as above.
  private static final String DUE_INVOCATIONS =
      "SELECT id FROM (SELECT id FROM extsvc_invocation_state INDEXED BY extsvc_invocation_state_due"
          + " WHERE status = 'PENDING' AND deadline <= ? ORDER BY deadline LIMIT ?) ORDER BY id";

  // The ids are one parameter, a JSON array. A single writer makes the update exclusive already.
  // SQLite's RETURNING names only the table updated: the rest of each row is read after, by
  // TIMED_OUT. The state row holds the last activity (V22), moved in the same statement.
  private static final String TIME_OUT =
      "UPDATE extsvc_invocation_state SET status = 'TIMED_OUT', finished_at = ?, reason = ?,"
          + " at = max(at, ?)"
          + " WHERE id IN (SELECT value FROM json_each(?)) AND status = 'PENDING' AND deadline <= ?"
          + " AND (claim_until IS NULL OR claim_until <= ?)"
          + " AND NOT EXISTS (SELECT 1 FROM extsvc_callbacks c"
          + " WHERE c.invocation_id = extsvc_invocation_state.id AND c.next_attempt_at IS NOT NULL)"
          + " RETURNING id";

  /** The invocations whose ids are in the one parameter, a JSON array. */
  private static final String TIMED_OUT =
      "SELECT "
          + Sql.TIMED_OUT_COLUMNS
          + " FROM "
          + Sql.INVOCATION_TABLES
          + " WHERE s.id IN (SELECT value FROM json_each(?))";

  private SqliteDialect() {}

  @Override
  String displayName() {
    return "SQLite";
  }

  @Override
  boolean isProduct(String productNameLowerCase) {
    return productNameLowerCase.contains("sqlite");
  }

  @Override
  List<String> urlNames() {
    return List.of("sqlite");
  }

  @Override
  String searchCount() {
    return "SELECT count(*) FROM (SELECT 1 FROM extsvc_search_docs"
        + " WHERE extsvc_search_docs MATCH ? LIMIT ?)";
  }

  @Override
  String searchAmongMatches() {
    return "i.id IN (SELECT k.invocation_id FROM extsvc_search_docs"
        + " JOIN extsvc_search_keys k ON k.key = extsvc_search_docs.rowid"
        + " WHERE extsvc_search_docs MATCH ?)";
  }

  @Override
  String explain() {
    return "EXPLAIN QUERY PLAN ";
  }

  /** FTS5 answers a MATCH for one rowid by seeking in each word's list, not reading it all. */
  @Override
  String searchEachRow() {
    return "EXISTS (SELECT 1 FROM extsvc_search_docs WHERE extsvc_search_docs MATCH ?"
        + " AND rowid = (SELECT k.key FROM extsvc_search_keys k WHERE k.invocation_id = i.id))";
  }

  private static final String QUEUE_SEARCH =
      "INSERT INTO extsvc_search_pending (invocation_id, words) VALUES (?, ?)";
  private static final String PENDING_SEARCH =
      "SELECT seq, invocation_id, words FROM extsvc_search_pending WHERE seq <= ?"
          + " ORDER BY seq LIMIT ?";
  private static final String LAST_QUEUED_SEARCH =
      "SELECT coalesce(max(seq), 0) FROM extsvc_search_pending";
  private static final String DROP_PENDING_SEARCH =
      "DELETE FROM extsvc_search_pending WHERE seq <= ?";
  private static final String APPEND_SEARCH =
      "UPDATE extsvc_search_docs SET content = CASE WHEN length(content) < "
          + Sql.SEARCH_DOCUMENT_CAP
          + " THEN content || ' ' || ? ELSE content END"
          + " WHERE rowid = (SELECT key FROM extsvc_search_keys WHERE invocation_id = ?)";
  private static final String INSERT_SEARCH_KEY =
      "INSERT INTO extsvc_search_keys (invocation_id) VALUES (?)";
  private static final String INSERT_SEARCH_DOC =
      "INSERT INTO extsvc_search_docs (rowid, content)"
          + " SELECT key, ? FROM extsvc_search_keys WHERE invocation_id = ?";

  /** Queued: a row at the end of {@code extsvc_search_pending} (V20). */
  @Override
  void appendSearch(Tx tx, UUID invocationId, String words) throws SQLException {
    tx.update(QUEUE_SEARCH, invocationId, words);
  }

  /** Queued as {@link #appendSearch}: the document is written with the first words it gets. */
  @Override
  void insertSearch(Tx tx, UUID invocationId, String words) throws SQLException {
    tx.update(QUEUE_SEARCH, invocationId, words);
  }

  @Override
  boolean indexesSearchLater() {
    return true;
  }

  /**
   * The queued words of each invocation, in the order they came, joined and appended to its
   * document with one update (or written as its new document under a new key: FTS5 rows have
   * integer keys). A document below {@link Sql#SEARCH_DOCUMENT_CAP} takes one batch whole, at most
   * the cap's worth of words.
   */
  @Override
  long lastQueuedSearch(Tx tx) throws SQLException {
    return tx.queryOne(LAST_QUEUED_SEARCH, row -> row.getLong(1)).orElse(0L);
  }

  @Override
  int indexPendingSearch(Tx tx, int limit, long last) throws SQLException {
    record Pending(long seq, UUID invocationId, String words) {}
    var pending =
        tx.query(
            PENDING_SEARCH,
            row ->
                new Pending(
                    row.getLong("seq"), Rows.uuid(row, "invocation_id"), row.getString("words")),
            last,
            limit);
    if (pending.isEmpty()) {
      return 0;
    }
    var byInvocation = new LinkedHashMap<UUID, StringBuilder>();
    for (var p : pending) {
      var words = byInvocation.get(p.invocationId());
      if (words == null) {
        byInvocation.put(p.invocationId(), new StringBuilder(p.words()));
      } else if (words.length() < Sql.SEARCH_DOCUMENT_CAP) {
        words.append(' ').append(p.words());
      }
    }
    for (var entry : byInvocation.entrySet()) {
      String words = entry.getValue().toString();
      if (tx.update(APPEND_SEARCH, words, entry.getKey()) == 0) {
        tx.update(INSERT_SEARCH_KEY, entry.getKey());
        tx.update(INSERT_SEARCH_DOC, words, entry.getKey());
      }
    }
    tx.update(DROP_PENDING_SEARCH, pending.getLast().seq());
    return pending.size();
  }

  /** Each word a quoted FTS5 string: words are letters and digits, so nothing needs escaping. */
  @Override
  String searchTerms(List<String> words) {
    return String.join(" ", words.stream().map(w -> "\"" + w + "\"").toList());
  }

  @Override
  String migrationFolder() {
    return "db/migration/sqlite";
  }

  /**
   * The store's own file: migrated over one plain connection, then one writing and a few reading
   * connections.
   */
  Database file(Path file) {
    Migrations.migrate(SqliteDatabase.dataSource(file), this);
    return SqliteDatabase.open(file);
  }

  /** A source the caller configured: our single writer thread still serialises writes. */
  @Override
  Database database(DataSource source, @Nullable AutoCloseable owned) {
    return SqliteDatabase.over(source, owned);
  }

  /** Text: SQLite has no uuid type, and the canonical form sorts UUIDv7 by time. */
  @Override
  void setUuid(PreparedStatement statement, int index, UUID id) throws SQLException {
    statement.setString(index, id.toString());
  }

  /**
   * sqlite-jdbc compiles every statement anew and keeps no cache, and for the store's short
   * statements compiling costs about as much as running them.
   */
  @Override
  StatementCache newStatementCache() {
    return new StatementCache(SQLiteConnection.class);
  }

  /**
   * The driver's result code when it gives one; otherwise (pool, closed connection) the JDBC rules.
   */
  @Override
  boolean unavailable(SQLException e) {
    if (e instanceof SQLiteException sqlite) {
      var code = sqlite.getResultCode();
      return code == SQLiteErrorCode.UNKNOWN_ERROR || UNAVAILABLE_CODES.contains(code.code & 0xff);
    }
    return super.unavailable(e);
  }

  @Override
  String pendingDueBefore() {
    return PENDING_DUE_BEFORE;
  }

  @Override
  String dueInvocations() {
    return DUE_INVOCATIONS;
  }

  @Override
  TimedOut timeOut(Tx tx, List<UUID> ids, Instant now, String reason) throws SQLException {
    List<UUID> moved =
        tx.query(TIME_OUT, row -> Rows.uuid(row, "id"), now, reason, now, jsonArray(ids), now, now);
    return new TimedOut(moved, null);
  }

  @Override
  List<InvocationRow> timedOut(Tx tx, List<UUID> ids) throws SQLException {
    return tx.query(TIMED_OUT, Rows::timedOut, jsonArray(ids));
  }

  /** V22: one UPDATE of a timeout moves status and activity together ({@link #TIME_OUT}). */
  @Override
  boolean activityInState() {
    return true;
  }

  /** Ids as a JSON array of strings: their text needs no escaping. */
  private static String jsonArray(List<?> ids) {
    return ids.stream().map(Object::toString).collect(Collectors.joining("\",\"", "[\"", "\"]"));
  }
}
