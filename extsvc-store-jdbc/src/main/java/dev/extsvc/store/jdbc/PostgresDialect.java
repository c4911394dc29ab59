package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.Store;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL: a server that several nodes share, used from the caller's thread over a pool (its
 * driver blocks a virtual thread without pinning it, and caches prepared statements server-side
 * itself), typed UUIDs, due work claimed with {@code FOR UPDATE SKIP LOCKED}.
 */
final class PostgresDialect extends JdbcDialect {
  static final PostgresDialect INSTANCE = new PostgresDialect();

  /**
   * SQLSTATE classes that say "not now": connection, transaction rollback, resources, shutdown,
   * I/O, internal.
   */
  private static final Set<String> UNAVAILABLE_CLASSES = Set.of("08", "40", "53", "57", "58", "XX");

  /** Single states of that kind: read-only transaction, lock not available, no privilege. */
  private static final Set<String> UNAVAILABLE_STATES = Set.of("25006", "55P03", "42501");

  private static final String PENDING_DUE_BEFORE =
      "SELECT "
          + Sql.INVOCATION_COLUMNS
          + " FROM "
          + Sql.INVOCATION_TABLES
          + " WHERE s.status = 'PENDING' AND s.deadline < ? ORDER BY s.deadline LIMIT ?";

  // From the due index alone, which holds the id.
  private static final String DUE_INVOCATIONS =
      "SELECT id FROM (SELECT id FROM extsvc_invocation_state WHERE status = 'PENDING' AND deadline <= ?"
          + " ORDER BY deadline LIMIT ?) d ORDER BY id";

  // The ids are one parameter, an array literal. Several sweepers may run at once: rows another
  // one holds are skipped, not waited for. The CTE is evaluated once.
  private static final String TIME_OUT =
      "WITH due AS (SELECT id FROM extsvc_invocation_state WHERE id = ANY (?::uuid[])"
          + " AND status = 'PENDING' AND deadline <= ? AND (claim_until IS NULL OR claim_until <= ?)"
          + " AND NOT EXISTS (SELECT 1 FROM extsvc_callbacks c WHERE c.invocation_id = extsvc_invocation_state.id"
          + " AND c.next_attempt_at IS NOT NULL)"
          + " ORDER BY id FOR UPDATE SKIP LOCKED)"
          + " UPDATE extsvc_invocation_state s SET status = 'TIMED_OUT', finished_at = ?, reason = ?"
          + " FROM due JOIN extsvc_invocations i ON i.id = due.id"
          + " WHERE s.id = due.id AND s.status = 'PENDING' RETURNING "
          + Sql.TIMED_OUT_COLUMNS;

  // clock_timestamp(), not now(): now() is the transaction's start, which a pooled connection's
  // statement would not notice but a long transaction would.
  private static final String SHARED_TIME =
      "SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint";

  private PostgresDialect() {}

  @Override
  String sharedTime() {
    return SHARED_TIME;
  }

  @Override
  String displayName() {
    return "PostgreSQL";
  }

  @Override
  boolean isProduct(String productNameLowerCase) {
    return productNameLowerCase.contains("postgres");
  }

  /** The PostgreSQL driver's sub-protocol, and pgjdbc-ng's. */
  @Override
  List<String> urlNames() {
    return List.of("postgresql", "pgsql");
  }

  @Override
  String searchCount() {
    return "SELECT count(*) FROM (SELECT 1 FROM extsvc_search_docs"
        + " WHERE words @@ plainto_tsquery('simple', ?) LIMIT ?) m";
  }

  /**
   * The matches gathered first (an array, computed once through the GIN index), then looked up by
   * primary key: as a plain IN, PostgreSQL, which cannot tell how rare a word is when another word
   * of the search is in every document, walked the documents' primary key checking each.
   */
  @Override
  String searchAmongMatches() {
    return "i.id = ANY (ARRAY(SELECT invocation_id FROM extsvc_search_docs"
        + " WHERE words @@ plainto_tsquery('simple', ?)))";
  }

  /**
   * A scalar subquery, which PostgreSQL runs for each row it walks (its primary key), where an
   * EXISTS would be planned as a join over every match.
   */
  @Override
  String searchEachRow() {
    return "(SELECT s.words FROM extsvc_search_docs s WHERE s.invocation_id = i.id)"
        + " @@ plainto_tsquery('simple', ?)";
  }

  /**
   * Lower than SQLite's: at 1,000,000 invocations PostgreSQL took about 75 ms to count 20,000
   * matches and 330 ms to sort them, where a walk of the list checks a row in tens of microseconds.
   */
  @Override
  int searchMatchesUpTo() {
    return 5_000;
  }

  /** Queued: a row of {@code extsvc_search_pending} (V22), as on SQLite. */
  @Override
  void appendSearch(Tx tx, UUID invocationId, String words) throws SQLException {
    tx.update(Sql.QUEUE_SEARCH, invocationId, words);
  }

  /** Queued as {@link #appendSearch}: the document is written with the first words it gets. */
  @Override
  void insertSearch(Tx tx, UUID invocationId, String words) throws SQLException {
    tx.update(Sql.QUEUE_SEARCH, invocationId, words);
  }

  @Override
  boolean indexesSearchLater() {
    return true;
  }

  private static final String LAST_QUEUED_SEARCH =
      "SELECT coalesce(max(seq), 0) FROM extsvc_search_pending";

  /**
   * One mover at a time across nodes, until its transaction ends: a second one waits, then reads
   * what is left. Without it a search's mover could pick rows another node's mover holds, find them
   * gone once that commits, and stop short with later rows still queued: the search would miss
   * their words. The key is fixed: it only needs to differ from other advisory locks of the
   * database, and extsvc takes none.
   */
  private static final String LOCK_SEARCH_MOVER = "SELECT pg_advisory_xact_lock(7305206611723591)";

  /**
   * Up to a limit of the words queued up to a position, taken off the queue, joined per invocation
   * in the order they came and written with one upsert per document (appended as by {@link
   * Sql#APPEND_ON_CONFLICT}, or a new document), in the order of the ids. Answers how many rows it
   * took. Words of an invocation that is gone are dropped with their rows.
   */
  private static final String MOVE_PENDING_SEARCH =
      "WITH moved AS (DELETE FROM extsvc_search_pending WHERE seq IN"
          + " (SELECT seq FROM extsvc_search_pending WHERE seq <= ? ORDER BY seq LIMIT ?)"
          + " RETURNING seq, invocation_id, words),"
          + " joined AS (SELECT invocation_id, string_agg(words, ' ' ORDER BY seq) AS words"
          + " FROM moved GROUP BY invocation_id),"
          + " docs AS (INSERT INTO extsvc_search_docs AS d (invocation_id, content)"
          + " SELECT j.invocation_id, j.words FROM joined j"
          + " WHERE EXISTS (SELECT 1 FROM extsvc_invocations i WHERE i.id = j.invocation_id)"
          + " ORDER BY j.invocation_id"
          + Sql.APPEND_ON_CONFLICT
          + ")"
          + " SELECT count(*) FROM moved";

  @Override
  long lastQueuedSearch(Tx tx) throws SQLException {
    return tx.queryOne(LAST_QUEUED_SEARCH, row -> row.getLong(1)).orElse(0L);
  }

  @Override
  int indexPendingSearch(Tx tx, int limit, long last) throws SQLException {
    tx.queryOne(LOCK_SEARCH_MOVER, row -> 1);
    return tx.queryOne(MOVE_PENDING_SEARCH, row -> row.getInt(1), last, limit).orElse(0);
  }

  @Override
  String searchTerms(List<String> words) {
    return String.join(" ", words);
  }

  @Override
  String migrationFolder() {
    return "db/migration/postgresql";
  }

  @Override
  Database database(DataSource source, @Nullable AutoCloseable owned) {
    // Writes share commits only over the store's own pool: an application's data source may hand a
    // write the caller's transaction to join (the Spring starter), which a writer thread cannot.
    return owned != null
        ? new GroupCommitDatabase(
            source, this, owned, JdbcStore.POOL_SIZE, JdbcStore.CONNECTION_TIMEOUT)
        : new DirectDatabase(source, this, null);
  }

  /**
   * A batch of inserts (the events written with the row they describe) sent as one multi-row {@code
   * INSERT}, not one statement each; the connections named {@code extsvc} in {@code
   * pg_stat_activity} (the upkeep pool's are {@code extsvc-upkeep}).
   */
  @Override
  java.util.Map<String, String> poolProperties() {
    return java.util.Map.of("reWriteBatchedInserts", "true", "ApplicationName", "extsvc");
  }

  /**
   * Upkeep statements give up after 2 s (1 s waiting for a row lock, such as one a paused node's
   * open transaction holds on an invocation being reaped), connecting after 2 s, and a socket that
   * says nothing for 10 s is dropped: a heartbeat or a renewal fails within a heartbeat or two, and
   * is tried again, rather than hanging behind a lock or a lost network.
   */
  @Override
  java.util.Map<String, String> controlPoolProperties() {
    return java.util.Map.of(
        "options", "-c statement_timeout=2000 -c lock_timeout=1000",
        "connectTimeout", "2",
        "socketTimeout", "10",
        "ApplicationName", "extsvc-upkeep");
  }

  /** A typed {@code uuid} parameter: PostgreSQL does not cast text to uuid implicitly. */
  @Override
  void setUuid(PreparedStatement statement, int index, UUID id) throws SQLException {
    statement.setObject(index, id);
  }

  @Override
  boolean unavailableState(String sqlState) {
    return UNAVAILABLE_STATES.contains(sqlState)
        || UNAVAILABLE_CLASSES.contains(sqlState.substring(0, 2));
  }

  @Override
  Store.Watch watchServices(Database database, Runnable changed) {
    DataSource source = database.dataSource();
    return source == null ? () -> {} : ServicesListener.start(source, changed);
  }

  /** The callback and its event in one round trip: the event is inserted only if the row was. */
  private static final String INSERT_CALLBACK_WITH_EVENT =
      "WITH c AS ("
          + Sql.INSERT_CALLBACK
          + " RETURNING invocation_id)"
          + " INSERT INTO extsvc_events (invocation_id, at, kind, message) SELECT invocation_id, ?, ?, ? FROM c";

  /**
   * The body's words queued for its invocation's search document, only when the callback was
   * inserted (a part of a statement whose {@code c} returns the callback's invocation_id).
   */
  private static final String APPEND_CALLBACK_WORDS =
      "INSERT INTO extsvc_search_pending (invocation_id, words) SELECT invocation_id, ? FROM c";

  /**
   * As {@link #INSERT_CALLBACK_WITH_EVENT}, and the body's words: the event becomes a part of the
   * statement and the words its last, so that they are the last parameter; its update count, the
   * queued words' row, is 1 when the callback was inserted, as the event's.
   */
  private static final String INSERT_CALLBACK_WITH_EVENT_AND_WORDS =
      "WITH c AS ("
          + Sql.INSERT_CALLBACK
          + " RETURNING invocation_id),"
          + " e AS (INSERT INTO extsvc_events (invocation_id, at, kind, message)"
          + " SELECT invocation_id, ?, ?, ? FROM c) "
          + APPEND_CALLBACK_WORDS;

  @Override
  String insertCallbackWithEvent(boolean search) {
    return search ? INSERT_CALLBACK_WITH_EVENT_AND_WORDS : INSERT_CALLBACK_WITH_EVENT;
  }

  /**
   * The callback, its event and its invocation's claim in one round trip; the claim as {@link
   * Sql#CLAIM}, taken only when the callback was inserted.
   */
  private static final String CALLBACK_EVENT_CLAIM =
      "WITH c AS ("
          + Sql.INSERT_CALLBACK
          + " RETURNING id, invocation_id),"
          + " e AS (INSERT INTO extsvc_events (invocation_id, at, kind, message)"
          + " SELECT invocation_id, ?, ?, ? FROM c),"
          + " l AS (UPDATE extsvc_invocation_state i SET claim_id = c.id, claim_until = ?, claim_node = ?,"
          + " claim_fence = i.claim_fence + 1 FROM c WHERE i.id = c.invocation_id"
          + " AND i.status = 'PENDING' AND (i.claim_id IS NULL OR i.claim_until <= ?)"
          + " RETURNING i.claim_fence)";

  private static final String INSERTED_AND_FENCE =
      " SELECT (SELECT COUNT(*) FROM c), (SELECT claim_fence FROM l)";

  private static final String INSERT_CALLBACK_AND_CLAIM = CALLBACK_EVENT_CLAIM + INSERTED_AND_FENCE;

  /**
   * As {@link #INSERT_CALLBACK_AND_CLAIM}, and the body's words appended to the invocation's search
   * document when the callback was inserted: one statement where there were two.
   */
  private static final String INSERT_CALLBACK_AND_CLAIM_AND_WORDS =
      CALLBACK_EVENT_CLAIM + ", s AS (" + APPEND_CALLBACK_WORDS + ")" + INSERTED_AND_FENCE;

  private static final String HOLD = Sql.HOLD + " FOR UPDATE";

  /** Locked, not updated: a row lock with no new row version. */
  @Override
  String hold() {
    return HOLD;
  }

  @Override
  String insertCallbackAndClaim(boolean search) {
    return search ? INSERT_CALLBACK_AND_CLAIM_AND_WORDS : INSERT_CALLBACK_AND_CLAIM;
  }

  /** Events of a completion written in one statement by {@link #completeOneCallback}, at most. */
  private static final int COMPLETION_EVENTS = 4;

  private static final List<String> COMPLETE_ONE_CALLBACK =
      java.util.stream.IntStream.rangeClosed(1, COMPLETION_EVENTS)
          .mapToObj(PostgresDialect::completeOneCallbackWith)
          .toList();

  /**
   * {@link Sql#HOLD}, {@link Sql#UPDATE_CALLBACK} (HANDLED, 200), {@link Sql#FINISH} (COMPLETED)
   * and the events as one statement: the invocation row locked while the fence holds (a lock, not a
   * new row version), the callback settled unless HANDLED, the invocation completed if still
   * PENDING, the events written when the callback was settled (the COMPLETED one only when the
   * invocation moved).
   */
  private static String completeOneCallbackWith(int events) {
    return "WITH h AS MATERIALIZED (SELECT id, status FROM extsvc_invocation_state"
        + " WHERE id = ? AND claim_fence = ? FOR UPDATE),"
        + " cb AS (UPDATE extsvc_callbacks SET outcome = 'HANDLED', answer_code = 200, error = NULL,"
        + " attempts = attempts + 1, next_attempt_at = NULL"
        + " WHERE id = ? AND outcome <> 'HANDLED' AND EXISTS (SELECT 1 FROM h) RETURNING id),"
        + " f AS (UPDATE extsvc_invocation_state i SET status = 'COMPLETED', reason = NULL, finished_at = ?,"
        + " claim_id = NULL, claim_until = NULL, claim_node = NULL"
        + " FROM h WHERE i.id = h.id AND h.status = 'PENDING' AND i.status = 'PENDING'"
        + " AND EXISTS (SELECT 1 FROM cb) RETURNING i.id),"
        + " ev AS (INSERT INTO extsvc_events (invocation_id, at, kind, message)"
        + " SELECT v.invocation_id, v.at, v.kind, v.message FROM (VALUES "
        + String.join(
            ", ", java.util.Collections.nCopies(events, "(?::uuid, ?::bigint, ?::text, ?::text)"))
        + ") AS v (invocation_id, at, kind, message)"
        + " WHERE EXISTS (SELECT 1 FROM cb) AND (v.kind <> 'COMPLETED' OR EXISTS (SELECT 1 FROM f)))"
        + " SELECT (SELECT COUNT(*) FROM h), (SELECT COUNT(*) FROM cb)";
  }

  @Override
  @Nullable String completeOneCallback(int events) {
    return events >= 1 && events <= COMPLETION_EVENTS
        ? COMPLETE_ONE_CALLBACK.get(events - 1)
        : null;
  }

  @Override
  boolean dataModifyingWith() {
    return true;
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
    var rows = tx.query(TIME_OUT, Rows::timedOut, uuidArray(ids), now, now, now, reason);
    var moved = rows.stream().map(InvocationRow::id).toList();
    if (!moved.isEmpty()) {
      tx.update(TOUCH_ACTIVITY, now, uuidArray(moved), now);
    }
    return new TimedOut(moved, rows);
  }

  private static final String TOUCH_ACTIVITY =
      "UPDATE extsvc_activity SET at = ? WHERE invocation_id = ANY (?::uuid[]) AND at < ?";

  /** Ids as one array literal. */
  private static String uuidArray(List<UUID> ids) {
    return ids.stream()
        .map(UUID::toString)
        .collect(java.util.stream.Collectors.joining(",", "{", "}"));
  }
}
