package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.InvocationCursor;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationSort;
import dev.extsvc.runtime.store.SearchText;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The statements every dialect runs as they are. Those whose text differs between databases (the
 * timeout claim, index hints, upserts) come from {@link JdbcDialect}; the upsert and conflict forms
 * here are its defaults.
 */
final class Sql {
  private Sql() {}

  static final String SAVE_SERVICE =
      "INSERT INTO extsvc_services (name, version, document, registered_at) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (name) DO UPDATE SET version = excluded.version, document = excluded.document,"
          + " registered_at = excluded.registered_at";
  static final String SERVICES =
      "SELECT name, version, document, registered_at FROM extsvc_services ORDER BY name";
  static final String SERVICE =
      "SELECT name, version, document, registered_at FROM extsvc_services WHERE name = ?";
  static final String DELETE_SERVICE = "DELETE FROM extsvc_services WHERE name = ?";

  /** Moved by triggers on extsvc_services (V5). */
  static final String SERVICES_VERSION = "SELECT version FROM extsvc_services_version WHERE id = 1";

  /**
   * An invocation as {@link Rows#invocation} reads it, from {@link #INVOCATION_TABLES}: the row
   * written once ({@code i}) and its state ({@code s}, V21), which claims, completions and timeouts
   * change.
   */
  static final String INVOCATION_COLUMNS =
      "i.id, i.service, i.operation, i.async, s.status, s.reason, i.handler_type, i.handler_state,"
          + " i.request, i.sync_status, i.sync_headers, i.sync_body, i.submit_time, s.deadline,"
          + " s.finished_at, i.trace_context";

  /** An invocation's two rows, {@code i} and {@code s}. */
  static final String INVOCATION_TABLES =
      "extsvc_invocations i JOIN extsvc_invocation_state s ON s.id = i.id";

  /**
   * What the sweeper needs of a timed-out invocation: all but the request and the synchronous
   * answer's headers and body, the large texts it never reads ({@link Rows#timedOut} maps them).
   */
  static final String TIMED_OUT_COLUMNS =
      "i.id, i.service, i.operation, i.async, s.status, s.reason, i.handler_type, i.handler_state,"
          + " i.sync_status, i.submit_time, s.deadline, s.finished_at, i.trace_context";

  /** The invocation's row without its state: {@link #INSERT_STATE} follows it. */
  static final String INSERT_INVOCATION =
      "INSERT INTO extsvc_invocations (id, service, operation, async, handler_type, handler_state,"
          + " request, sync_status, sync_headers, sync_body, submit_time, trace_context)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  static final String INSERT_STATE =
      "INSERT INTO extsvc_invocation_state (id, status, reason, deadline, finished_at)"
          + " VALUES (?, ?, ?, ?, ?)";

  /**
   * As {@link #INSERT_STATE}, then the first last-activity time (the submit time), where the state
   * row holds it ({@link JdbcDialect#activityInState}).
   */
  static final String INSERT_STATE_WITH_ACTIVITY =
      "INSERT INTO extsvc_invocation_state (id, status, reason, deadline, finished_at, at)"
          + " VALUES (?, ?, ?, ?, ?, ?)";

  static final String INVOCATION =
      "SELECT " + INVOCATION_COLUMNS + " FROM " + INVOCATION_TABLES + " WHERE i.id = ?";

  /**
   * An invocation's search document takes no more words after this many characters (a callback
   * sender repeating itself would otherwise make every append rewrite a longer one).
   */
  static final int SEARCH_DOCUMENT_CAP = 65_536;

  /**
   * Above this many matching invocations a search walks the list in its order and checks each row
   * ({@link SearchPlan#EACH_ROW}); up to it, it sorts the matches ({@link SearchPlan#MATCHES}).
   * Sorting costs per match, walking per row until a page is found (the rows walked are about the
   * page times the share of invocations that match): at this count both take a few milliseconds.
   */
  static final int SEARCH_MATCHES_UP_TO = 20_000;

  /** How the list finds the rows of a search. */
  enum SearchPlan {
    /** Every match through the full-text index, then sorted: for few matches. */
    MATCHES,
    /** The list in its order, each row checked through its document's key: for many matches. */
    EACH_ROW
  }

  static final String RECORD_SYNC_ANSWER =
      "UPDATE extsvc_invocations SET sync_status = ?, sync_headers = ?, sync_body = ? WHERE id = ?";
  // The status condition is what makes the final state unique: of two racing finishers, one updates
  // no row.
  static final String FINISH =
      "UPDATE extsvc_invocation_state SET status = ?, reason = ?, finished_at = ?, claim_id = NULL, claim_until = NULL,"
          + " claim_node = NULL WHERE id = ? AND status = 'PENDING'";
  // A lease is taken only from a PENDING invocation that nobody holds (or whose holder's lease ran
  // out): not re-entrant, so two nodes recovering the same callback cannot both run its handler.
  // Each claim raises the fence, which every write of the run that follows is checked against.
  static final String CLAIM =
      "UPDATE extsvc_invocation_state SET claim_id = ?, claim_until = ?, claim_node = ?, claim_fence = claim_fence + 1"
          + " WHERE id = ? AND status = 'PENDING' AND (claim_id IS NULL OR claim_until <= ?) RETURNING claim_fence";
  // A claim and a completion at once, for a callback recorded without a handler: only a PENDING
  // invocation nobody holds moves; the fence is raised as a claim raises it.
  static final String COMPLETE_IF_FREE =
      "UPDATE extsvc_invocation_state SET status = 'COMPLETED', reason = NULL, finished_at = ?, claim_id = NULL,"
          + " claim_until = NULL, claim_node = NULL, claim_fence = claim_fence + 1"
          + " WHERE id = ? AND status = 'PENDING' AND (claim_id IS NULL OR claim_until <= ?)";
  // Held while the fence is unchanged; an invocation cancelled meanwhile keeps its (cleared) lease
  // as it is, since nobody can claim a final invocation.
  static final String RENEW =
      "UPDATE extsvc_invocation_state SET claim_until = CASE WHEN status = 'PENDING' THEN ? ELSE claim_until END"
          + " WHERE id = ? AND claim_fence = ?";
  // Checks the fence; a dialect whose writers run at once locks the row until the commit as well
  // (JdbcDialect.hold), so that no claim can slip in between the check and the writes fenced by it.
  // A read, not a no-op update: no new row version, its indexes untouched.
  static final String HOLD =
      "SELECT claim_fence FROM extsvc_invocation_state WHERE id = ? AND claim_fence = ?";
  static final String RELEASE =
      "UPDATE extsvc_invocation_state SET claim_id = NULL, claim_until = NULL, claim_node = NULL"
          + " WHERE id = ? AND claim_id = ? AND claim_fence = ?";
  // A dead node's leases: released at once, the fences raised so that its runs, should it come
  // back, are superseded.
  static final String RELEASE_NODE_LEASES =
      "UPDATE extsvc_invocation_state SET claim_id = NULL, claim_until = NULL, claim_node = NULL,"
          + " claim_fence = claim_fence + 1 WHERE claim_node = ?";
  // Conditional on the deadline read: of two extensions racing, the second reads again.
  static final String MOVE_DEADLINE =
      "UPDATE extsvc_invocation_state SET deadline = ? WHERE id = ? AND status = 'PENDING' AND deadline = ?";
  static final String COUNT_BY_STATUS =
      "SELECT status, COUNT(*) FROM extsvc_invocation_state GROUP BY status";

  /** {@link #createInvocation} texts by (tokens, events, search row): a handful in practice. */
  private static final java.util.concurrent.ConcurrentMap<List<Integer>, String> CREATE_INVOCATION =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Words queued for an invocation's search document (PostgreSQL, V22): its id and words, moved
   * into the document later ({@link JdbcDialect#indexPendingSearch}).
   */
  static final String QUEUE_SEARCH =
      "INSERT INTO extsvc_search_pending (invocation_id, words) VALUES (?, ?)";

  /**
   * What turns an insert into {@code extsvc_search_docs AS d} into an append to the invocation's
   * document when it has one (PostgreSQL), until the document reaches {@link #SEARCH_DOCUMENT_CAP}.
   */
  static final String APPEND_ON_CONFLICT =
      " ON CONFLICT (invocation_id) DO UPDATE SET content = CASE WHEN length(d.content) < "
          + SEARCH_DOCUMENT_CAP
          + " THEN d.content || ' ' || excluded.content ELSE d.content END";

  /**
   * An invocation, its tokens, its search words (when {@code search}) and its events in one
   * statement of data-modifying {@code WITH} parts (PostgreSQL): the parameters of {@link
   * #INSERT_INVOCATION}, then of {@link #INSERT_STATE}, then 5 per token, then the search row's 2,
   * then 4 per event. Its update count is the events'. The foreign keys of tokens, words and events
   * are checked at the end of the statement, when the invocation's row is there.
   */
  static String createInvocation(int tokens, int events, boolean search) {
    return CREATE_INVOCATION.computeIfAbsent(
        List.of(tokens, events, search ? 1 : 0),
        k ->
            "WITH i AS ("
                + INSERT_INVOCATION
                + "), st AS ("
                + INSERT_STATE
                + ")"
                + (tokens == 0 ? "" : ", t AS (" + tokenRows(tokens) + ")")
                + (search ? ", s AS (" + QUEUE_SEARCH + ")" : "")
                + " "
                + eventRows(events));
  }

  /**
   * The synchronous answer, its search words (when {@code search}) and its event in one statement
   * (PostgreSQL): the parameters of {@link #RECORD_SYNC_ANSWER}, then the words, then the event's
   * at, kind and message. Its update count is 1 when the invocation was there, else 0 (and nothing
   * was written).
   */
  static String recordSyncAnswer(boolean search) {
    return search ? RECORD_SYNC_ANSWER_WITH_SEARCH : RECORD_SYNC_ANSWER_WITH_EVENT;
  }

  private static final String RECORD_SYNC_ANSWER_WITH_EVENT =
      "WITH u AS ("
          + RECORD_SYNC_ANSWER
          + " RETURNING id)"
          + " INSERT INTO extsvc_events (invocation_id, at, kind, message) SELECT id, ?, ?, ? FROM u";

  private static final String RECORD_SYNC_ANSWER_WITH_SEARCH =
      "WITH u AS ("
          + RECORD_SYNC_ANSWER
          + " RETURNING id), s AS (INSERT INTO extsvc_search_pending (invocation_id, words)"
          + " SELECT id, ? FROM u)"
          + " INSERT INTO extsvc_events (invocation_id, at, kind, message) SELECT id, ?, ?, ? FROM u";

  /** Most invocations mint one to four tokens: their statements are built once. */
  private static final List<String> INSERT_TOKENS =
      java.util.stream.IntStream.rangeClosed(1, 4).mapToObj(Sql::tokenRows).toList();

  /**
   * An insert of {@code rows} tokens, each (token_hash, invocation_id, target, callback_keys,
   * callback_suffixes), in one statement: an invocation's tokens cost one execution, not one each.
   */
  static String insertTokens(int rows) {
    return rows <= INSERT_TOKENS.size() ? INSERT_TOKENS.get(rows - 1) : tokenRows(rows);
  }

  private static String tokenRows(int rows) {
    return "INSERT INTO extsvc_callback_tokens (token_hash, invocation_id, target, callback_keys,"
        + " callback_suffixes) VALUES "
        + String.join(", ", java.util.Collections.nCopies(rows, "(?, ?, ?, ?, ?)"));
  }

  static final String TOKEN =
      "SELECT token_hash, invocation_id, target, callback_keys, callback_suffixes FROM extsvc_callback_tokens"
          + " WHERE token_hash = ?";

  static final String TOKEN_WITH_INVOCATION =
      "SELECT t.token_hash, t.invocation_id, t.target, t.callback_keys, t.callback_suffixes, "
          + INVOCATION_COLUMNS
          // the per-invocation quota's count, through the (invocation_id, dedup_key) index
          + ", (SELECT COUNT(*) FROM extsvc_callbacks c WHERE c.invocation_id = t.invocation_id)"
          + " AS stored_callbacks"
          + " FROM extsvc_callback_tokens t"
          + " JOIN extsvc_invocations i ON i.id = t.invocation_id JOIN extsvc_invocation_state s ON s.id = i.id"
          + " WHERE t.token_hash = ?";

  static final String CALLBACK_INSERT_COLUMNS =
      "id, invocation_id, callback_key, received_at, method, headers, body, dedup_key, outcome, answer_code,"
          + " attempts, error";
  static final String CALLBACK_COLUMNS = CALLBACK_INSERT_COLUMNS + ", next_attempt_at, dead_at";
  // Only the dedup constraint is absorbed; any other violation (a reused id) still fails loudly.
  static final String INSERT_CALLBACK =
      "INSERT INTO extsvc_callbacks ("
          + CALLBACK_INSERT_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (invocation_id, dedup_key) DO NOTHING";
  static final String CALLBACK_BY_DEDUP_KEY =
      "SELECT "
          + CALLBACK_COLUMNS
          + " FROM extsvc_callbacks WHERE invocation_id = ? AND dedup_key = ?";
  static final String CALLBACK =
      "SELECT " + CALLBACK_COLUMNS + " FROM extsvc_callbacks WHERE id = ?";
  // the unique (invocation_id, dedup_key) index serves the per-invocation count
  static final String CALLBACK_COUNT =
      "SELECT COUNT(*) FROM extsvc_callbacks WHERE invocation_id = ? AND received_at > ?";
  // octet_length: bytes, not characters, in both SQLite (3.43+) and PostgreSQL
  static final String CALLBACK_BYTES =
      "SELECT COALESCE(SUM(octet_length(body)), 0) FROM extsvc_callbacks";
  static final String CALLBACKS =
      "SELECT "
          + CALLBACK_COLUMNS
          + " FROM extsvc_callbacks WHERE invocation_id = ? ORDER BY received_at, id";
  static final String UPDATE_CALLBACK =
      "UPDATE extsvc_callbacks SET outcome = ?, answer_code = ?, error = ?, attempts = attempts + 1,"
          + " next_attempt_at = NULL WHERE id = ? AND outcome <> 'HANDLED'";
  static final String SCHEDULE_RETRY =
      "UPDATE extsvc_callbacks SET outcome = 'FAILED', answer_code = 500, error = ?, attempts = attempts + 1,"
          + " next_attempt_at = ?, dead_at = ? WHERE id = ?"
          + " AND outcome <> 'HANDLED'";
  static final String REPLAY_CALLBACK =
      "UPDATE extsvc_callbacks SET next_attempt_at = ?, dead_at = NULL WHERE id = ? AND outcome <> 'HANDLED'";
  // Two indexed halves rather than one OR, so neither scan touches settled callbacks. Unfinished
  // callbacks whose invocation a run holds are left out: recovery would only fail to claim them.
  static final String DUE_CALLBACKS =
      "SELECT * FROM (SELECT "
          + CALLBACK_COLUMNS
          + " FROM extsvc_callbacks WHERE outcome = 'RECEIVED'"
          + " AND received_at < ? AND NOT EXISTS (SELECT 1 FROM extsvc_invocation_state s"
          + " WHERE s.id = extsvc_callbacks.invocation_id AND s.claim_id IS NOT NULL AND s.claim_until > ?)"
          + " UNION SELECT "
          + CALLBACK_COLUMNS
          + " FROM extsvc_callbacks"
          + " WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?) due ORDER BY received_at, id LIMIT ?";

  static final String INSERT_EVENT =
      "INSERT INTO extsvc_events (invocation_id, at, kind, message) VALUES (?, ?, ?, ?)";

  /** Most units of work write one to three events: their statements are built once. */
  private static final List<String> INSERT_EVENTS =
      java.util.stream.IntStream.rangeClosed(1, 4).mapToObj(Sql::eventRows).toList();

  /**
   * An insert of {@code rows} events, each (invocation_id, at, kind, message), in one statement.
   */
  static String insertEvents(int rows) {
    return rows <= INSERT_EVENTS.size() ? INSERT_EVENTS.get(rows - 1) : eventRows(rows);
  }

  private static String eventRows(int rows) {
    return "INSERT INTO extsvc_events (invocation_id, at, kind, message) VALUES "
        + String.join(", ", java.util.Collections.nCopies(rows, "(?, ?, ?, ?)"));
  }

  static final String EVENTS =
      "SELECT id, invocation_id, at, kind, message FROM extsvc_events WHERE invocation_id = ? ORDER BY id";

  /** A timed-out invocation's finish and deadline, from which its TIMED_OUT event is read. */
  static final String TIMEOUT =
      "SELECT id, finished_at, deadline FROM extsvc_invocation_state WHERE id = ? AND status = 'TIMED_OUT'";

  /** As {@link #TIMEOUT}, for each of the invocations named. */
  static String timeouts(int invocations) {
    return "SELECT id, finished_at, deadline FROM extsvc_invocation_state WHERE status = 'TIMED_OUT' AND id IN ("
        + parameters(invocations)
        + ")";
  }

  /** {@code n} parameters for an IN list: {@code ?, ?, ?}. */
  private static String parameters(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  static final String FAILED_CALLBACKS =
      "SELECT "
          + CALLBACK_COLUMNS
          + " FROM extsvc_callbacks"
          + " WHERE outcome = 'FAILED' ORDER BY received_at DESC LIMIT ?";
  // Integer division of epoch microseconds gives the minute on both dialects.
  static final String SUBMITTED_PER_MINUTE =
      "SELECT submit_time / 60000000 AS minute, COUNT(*) FROM extsvc_invocations"
          + " WHERE submit_time >= ? GROUP BY submit_time / 60000000";
  static final String CALLBACKS_PER_MINUTE =
      "SELECT received_at / 60000000 AS minute, COUNT(*),"
          + " SUM(CASE WHEN outcome = 'FAILED' THEN 1 ELSE 0 END) FROM extsvc_callbacks"
          + " WHERE received_at >= ? GROUP BY received_at / 60000000";

  static final String NODE_COLUMNS = "id, host, version, started_at, heartbeat_at";
  static final String REGISTER_NODE =
      "INSERT INTO extsvc_nodes ("
          + NODE_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET host = excluded.host,"
          + " version = excluded.version, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at";
  static final String HEARTBEAT = "UPDATE extsvc_nodes SET heartbeat_at = ? WHERE id = ?";
  static final String NODES = "SELECT " + NODE_COLUMNS + " FROM extsvc_nodes ORDER BY id";
  static final String STALE_NODES =
      "SELECT "
          + NODE_COLUMNS
          + " FROM extsvc_nodes WHERE heartbeat_at < ? AND id <> ? ORDER BY id";
  // Still stale when deleted: of two nodes reaping at once, or a heartbeat just in, one wins.
  static final String DELETE_STALE_NODE =
      "DELETE FROM extsvc_nodes WHERE id = ? AND heartbeat_at < ?";
  static final String DELETE_NODE = "DELETE FROM extsvc_nodes WHERE id = ?";

  static final String PING = "SELECT 1";

  /** The newest event of each invocation named, through the (invocation_id, id) index. */
  static String lastEvents(int invocations) {
    return "SELECT id, invocation_id, at, kind, message FROM extsvc_events WHERE id IN (SELECT MAX(id)"
        + " FROM extsvc_events WHERE invocation_id IN ("
        + parameters(invocations)
        + ") GROUP BY invocation_id)";
  }

  /** The smallest UUIDv7 of a millisecond. */
  static java.util.UUID firstIdAt(long epochMillis) {
    return new java.util.UUID((epochMillis << 16) | 0x7000L, 0x8000000000000000L);
  }

  /** A statement with its parameters in order. */
  record Query(String sql, List<@Nullable Object> params) {}

  /**
   * The console's list: optional filters, in the query's order (its column, then the id the same
   * way), keyset-paged from the query's place, one row more than the page (to tell whether there is
   * more). The last-activity time is the last column, for the page's places. A previous page is
   * walked backwards (every comparison and direction turned), and turned round by the caller. A
   * search ({@link InvocationQuery#text()}) finds its rows by the plan given.
   */
  static Query invocations(InvocationQuery query, JdbcDialect dialect, SearchPlan plan) {
    var conditions = new ArrayList<String>();
    var params = new ArrayList<@Nullable Object>();
    if (query.status() != null) {
      conditions.add("s.status = ?");
      params.add(query.status());
    }
    if (query.service() != null) {
      conditions.add("i.service = ?");
      params.add(query.service());
    }
    if (query.operation() != null) {
      conditions.add("i.operation = ?");
      params.add(query.operation());
    }
    // Ids are UUIDv7, whose leading bits are the submit millisecond: the same range as an id range
    // lets the walk over the primary key (the submit order) start and stop at the range instead of
    // scanning down to it.
    if (query.submittedFrom() != null) {
      conditions.add("i.submit_time >= ?");
      params.add(query.submittedFrom());
      conditions.add("i.id >= ?");
      params.add(firstIdAt(query.submittedFrom().toEpochMilli()));
    }
    if (query.submittedTo() != null) {
      conditions.add("i.submit_time < ?");
      params.add(query.submittedTo());
      conditions.add("i.id < ?");
      params.add(firstIdAt(query.submittedTo().toEpochMilli() + 1));
    }
    InvocationCursor at = query.page();
    boolean descending = query.sort().descending() != (at != null && at.before());
    String column = sortColumn(query.sort().column());
    String direction = descending ? " DESC" : "";
    String id = orderId(query);
    if (at != null) {
      String after = descending ? " < " : " > ";
      if (column == null) {
        conditions.add(id + after + "?");
      } else {
        // a row value, so that both databases walk the (column, id) index from the place
        conditions.add("(" + column + ", " + id + ")" + after + "(?, ?)");
        params.add(
            switch (query.sort().column()) {
              case LAST_ACTIVITY, DEADLINE -> at.instantKey();
              default -> at.key();
            });
      }
      params.add(at.id());
    }
    String text = query.text();
    if (text != null) {
      conditions.add(
          plan == SearchPlan.MATCHES ? dialect.searchAmongMatches() : dialect.searchEachRow());
      params.add(dialect.searchTerms(SearchText.words(text)));
    }
    var sql =
        new StringBuilder("SELECT ")
            .append(INVOCATION_COLUMNS)
            .append(", a.at FROM ")
            .append(INVOCATION_TABLES)
            // every invocation has its last activity: a row a trigger writes with the invocation
            // (PostgreSQL), or its state row seen through a view (SQLite)
            .append(" JOIN extsvc_activity a ON a.invocation_id = i.id");
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    sql.append(" ORDER BY ");
    if (column != null) {
      sql.append(column).append(direction).append(", ");
    }
    sql.append(id).append(direction).append(" LIMIT ?");
    params.add(query.limit() + 1);
    return new Query(sql.toString(), params);
  }

  /** The column a sort orders by before the id; null for the submit order, which is the id's. */
  private static @Nullable String sortColumn(InvocationSort.Column column) {
    return switch (column) {
      case SUBMITTED -> null;
      case LAST_ACTIVITY -> "a.at";
      case SERVICE -> "i.service";
      case OPERATION -> "i.operation";
      case STATUS -> "s.status";
      case DEADLINE -> "s.deadline";
    };
  }

  /**
   * The id the list orders by after its column: the same value in every table, named from the table
   * whose (column, id) index walks the order, so that SQLite sees the index's order in it.
   */
  private static String orderId(InvocationQuery query) {
    return switch (query.sort().column()) {
      case LAST_ACTIVITY -> "a.invocation_id";
      case STATUS, DEADLINE -> "s.id";
      case SUBMITTED ->
          query.status() != null && query.service() == null && query.operation() == null
              ? "s.id"
              : "i.id";
      case SERVICE, OPERATION -> "i.id";
    };
  }

  /** The leases held now, by node then soonest expiry (the partial index on claim_node). */
  static final String LEASES =
      "SELECT claim_node, id, claim_id, claim_until FROM extsvc_invocation_state"
          + " WHERE claim_node IS NOT NULL AND claim_id IS NOT NULL AND claim_until IS NOT NULL"
          + " ORDER BY claim_node, claim_until, id LIMIT ?";
}
