package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.Store;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Everything about one database that the rest of the store must not know: how it is recognised,
 * where its work runs, its migrations, the statements whose text differs, how values and failures
 * translate. One subclass per database, listed in {@link Dialect}; the rest of the module asks the
 * dialect and never which database it is.
 *
 * <p>The statements every dialect runs alike stay in {@link Sql}. The upsert and conflict forms
 * below are the {@code ON CONFLICT} ones SQLite and PostgreSQL share; a database without them
 * overrides the method.
 */
abstract class JdbcDialect {
  /**
   * SQL-standard SQLSTATE classes that say "not now": connection exception, transaction rollback.
   */
  private static final Set<String> STANDARD_UNAVAILABLE_CLASSES = Set.of("08", "40");

  /** A sub-protocol or a wrapper's name: letters, digits, dashes, dots and underscores. */
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");

  /**
   * Enough for a wrapper and its database ({@code jdbc:tc:postgresql:...}), too few to reach a user
   * name.
   */
  private static final int MAX_URL_NAMES = 2;

  /** The name people know the database by, for messages ("PostgreSQL"). */
  abstract String displayName();

  /**
   * Whether {@code DatabaseMetaData.getDatabaseProductName()} names this database; case is already
   * folded to lower case.
   */
  abstract boolean isProduct(String productNameLowerCase);

  /**
   * JDBC sub-protocols that name this database ({@code postgresql} in {@code
   * jdbc:postgresql://...}), lower case, its usual driver's first.
   */
  abstract List<String> urlNames();

  /** The Flyway folder on the class path holding this database's schema, one file per version. */
  abstract String migrationFolder();

  /**
   * Where the store's work runs on this database: on the caller's thread over a pool, or handed to
   * threads of its own.
   *
   * @param owned what to close with the database (a pool the store made), null when the caller owns
   *     the source
   */
  abstract Database database(DataSource source, @Nullable AutoCloseable owned);

  /**
   * Driver properties of the pool the store makes for this database ({@link JdbcStore#postgres});
   * none by default.
   */
  java.util.Map<String, String> poolProperties() {
    return java.util.Map.of();
  }

  /**
   * Driver properties of the node's upkeep pool (heartbeats, reaping, lease renewals, {@code
   * LISTEN}): bounds on every wait, so that a heartbeat that cannot go through fails in time for
   * the node to know; none by default.
   */
  java.util.Map<String, String> controlPoolProperties() {
    return java.util.Map.of();
  }

  /** Binds a UUID parameter in the column type the migrations declare. */
  abstract void setUuid(PreparedStatement statement, int index, UUID id) throws SQLException;

  /**
   * A cache of prepared statements for a driver that keeps none itself; null when the driver caches
   * (each unit of work then prepares and closes its statements as JDBC intends).
   */
  @Nullable StatementCache newStatementCache() {
    return null;
  }

  /**
   * Whether the failure says "the database cannot serve now" (unreachable, read-only, busy, full,
   * shutting down) rather than "the statement or its caller is wrong". Pool timeouts and broken
   * connections are the former on every database; a dialect adds what its driver reports.
   */
  boolean unavailable(SQLException e) {
    if (e instanceof SQLTransientException
        || e instanceof SQLRecoverableException
        || e instanceof SQLNonTransientConnectionException) {
      return true; // pool timeouts, broken connections
    }
    var state = e.getSQLState();
    if (state == null || state.length() != 5) {
      return true; // drivers leave it out for closed connections and the like: nothing we wrote
      // wrong
    }
    return unavailableState(state);
  }

  /**
   * Whether a well-formed SQLSTATE is of the "not now" kind; by default the standard classes only.
   */
  boolean unavailableState(String sqlState) {
    return STANDARD_UNAVAILABLE_CLASSES.contains(sqlState.substring(0, 2));
  }

  /**
   * Calls {@code changed} when another node changes the services, if the database can say so; by
   * default it cannot, and nodes compare the services version instead.
   */
  Store.Watch watchServices(Database database, Runnable changed) {
    return () -> {};
  }

  /**
   * Inserts a service or replaces the one of the same name: name, version, document, registered_at.
   */
  String saveService() {
    return Sql.SAVE_SERVICE;
  }

  /**
   * Inserts a callback unless one with the same (invocation_id, dedup_key) exists, updating no row
   * then; any other violation still fails. Parameters in {@link Sql#CALLBACK_INSERT_COLUMNS} order.
   */
  String insertCallback() {
    return Sql.INSERT_CALLBACK;
  }

  /**
   * As {@link #insertCallback()}, and in the same statement, when the callback is new, its event:
   * the callback's parameters, then the event's at, kind and message; the update count is 1 when
   * the callback was inserted. With {@code search}, also the append of the body's words to the
   * invocation's search document, its words the last parameter. Null for a database without
   * data-modifying {@code WITH} (the event and the words are then statements of their own).
   */
  @Nullable String insertCallbackWithEvent(boolean search) {
    return null;
  }

  /** Above this many matches a search walks the list ({@link Sql#SEARCH_MATCHES_UP_TO}). */
  int searchMatchesUpTo() {
    return Sql.SEARCH_MATCHES_UP_TO;
  }

  /**
   * Whether one statement may hold several data-modifying {@code WITH} parts (PostgreSQL): an
   * invocation's rows, and its answer with its event, then go in one round trip each ({@link
   * Sql#createInvocation}, {@link Sql#recordSyncAnswer}).
   */
  boolean dataModifyingWith() {
    return false;
  }

  /**
   * {@link Sql#HOLD} as this database runs it: one row while the fence is unchanged, the row locked
   * until the commit where other writers could claim it meanwhile. As it is where writes are
   * serialised already (SQLite's one writer).
   */
  String hold() {
    return Sql.HOLD;
  }

  /**
   * As {@link #insertCallbackWithEvent()}, and in the same statement, when the callback is new, the
   * claim of its invocation ({@link Sql#CLAIM}'s conditions): the callback's parameters, the
   * event's at, kind and message, then the lease's until, node and now. One row: whether the
   * callback was inserted (1 or 0) and the fence of the claim (null when none was taken). With
   * {@code search}, also the append of the body's words to the invocation's search document, its
   * words the last parameter. Null for a database without data-modifying {@code WITH} (the claim
   * and the words are then statements of their own).
   */
  @Nullable String insertCallbackAndClaim(boolean search) {
    return null;
  }

  /**
   * The completion of a one-callback lease in one statement, with its {@code events} events (one
   * {@code COMPLETED} among them written only if the invocation moved): the invocation id and
   * fence, the callback id, the finish time, then each event's invocation id, at, kind and message.
   * One row: whether the lease held (1 or 0) and whether the callback was settled HANDLED (1 or 0;
   * nothing is written unless both). Null for a database that cannot (the statements then run one
   * by one).
   */
  @Nullable String completeOneCallback(int events) {
    return null;
  }

  /**
   * The query of the database server's clock in epoch microseconds, when nodes sharing this
   * database take their time from it; null for a database that one process uses alone (SQLite).
   */
  @Nullable String sharedTime() {
    return null;
  }

  /**
   * The console's "about to time out": PENDING invocations with a deadline before ?, soonest first,
   * LIMIT ?.
   */
  abstract String pendingDueBefore();

  /**
   * How many invocations' search documents hold every word of the first parameter, counting no
   * further than the second (one column).
   */
  abstract String searchCount();

  /**
   * The list's condition for a search that few invocations match: {@code i.id} among those whose
   * document holds every word of the one parameter, found through the full-text index.
   */
  abstract String searchAmongMatches();

  /**
   * The list's condition for a search that many invocations match: the one document of the row
   * {@code i} at hand, looked up by its key, holds every word of the one parameter. Written so that
   * the database checks it row by row as it walks the list in its order.
   */
  abstract String searchEachRow();

  /** What makes a query answer its plan instead of its rows. */
  String explain() {
    return "EXPLAIN ";
  }

  /** The parameter of the search conditions for these words (letters and digits only). */
  abstract String searchTerms(List<String> words);

  /**
   * Appends words to an invocation's search document (writing it when the invocation has none yet),
   * in the caller's transaction. A document stops growing at {@link Sql#SEARCH_DOCUMENT_CAP}
   * characters.
   */
  abstract void appendSearch(Tx tx, UUID invocationId, String words) throws SQLException;

  /** Writes a new invocation's search document, in the caller's transaction. */
  abstract void insertSearch(Tx tx, UUID invocationId, String words) throws SQLException;

  /**
   * Whether {@link #appendSearch} and {@link #insertSearch} only queue the words, for {@link
   * #indexPendingSearch} to move into the documents later (SQLite).
   */
  boolean indexesSearchLater() {
    return false;
  }

  /** The position of the last words queued so far; 0 when none are. */
  long lastQueuedSearch(Tx tx) throws SQLException {
    return 0;
  }

  /**
   * Moves up to {@code limit} of the words queued up to position {@code last} into their documents,
   * in the caller's write transaction, and returns how many it moved: fewer than {@code limit} when
   * none of those are left.
   */
  int indexPendingSearch(Tx tx, int limit, long last) throws SQLException {
    return 0;
  }

  /**
   * The ids of the PENDING invocations whose deadline is not after the first parameter, the
   * earliest deadlines up to the second, in the order of the ids (one column).
   */
  abstract String dueInvocations();

  /**
   * Moves those of {@code ids} that are PENDING with a deadline not after {@code now} to TIMED_OUT,
   * skipping those leased by a running handler or holding a durable retry; in the caller's write
   * transaction. Where several stores share the database, an invocation is claimed by exactly one,
   * and rows another holds are skipped. Their last activity moves to {@code now}, never back: a
   * timeout writes no event row (its event is read from the state row), so the activity an event
   * row would have moved is moved here.
   */
  abstract TimedOut timeOut(Tx tx, List<UUID> ids, Instant now, String reason) throws SQLException;

  /**
   * What {@link #timeOut} moved: the ids, and their rows as changed ({@link Sql#TIMED_OUT_COLUMNS})
   * where the update could return them, else null and {@link #timedOut} reads them once the update
   * committed.
   */
  record TimedOut(List<UUID> ids, @Nullable List<InvocationRow> rows) {}

  /**
   * The timed-out invocations {@code ids} ({@link Sql#TIMED_OUT_COLUMNS}), for a dialect whose
   * {@link #timeOut} returns no rows; in a read transaction.
   */
  List<InvocationRow> timedOut(Tx tx, List<UUID> ids) throws SQLException {
    throw new UnsupportedOperationException(displayName() + " returns timed-out rows from timeOut");
  }

  /**
   * Whether the state row holds the last activity (SQLite, V22), written with the row ({@link
   * Sql#INSERT_STATE_WITH_ACTIVITY}); else a table of its own holds it, its row written by a
   * trigger on the invocation's insert (PostgreSQL).
   */
  boolean activityInState() {
    return false;
  }

  /**
   * The first names after {@code jdbc:}, lower case: {@code [tc, postgresql]} for {@code
   * jdbc:tc:postgresql:15:///db}. It stops at the first part that is not a plain name, before any
   * host, path or password, so that the names can be shown in a message; empty when it is no JDBC
   * URL.
   */
  static List<String> urlPrefixNames(String jdbcUrl) {
    if (!jdbcUrl.regionMatches(true, 0, "jdbc:", 0, 5)) {
      return List.of();
    }
    var names = new ArrayList<String>();
    for (var part : jdbcUrl.substring(5).split(":", -1)) {
      if (!PLAIN_NAME.matcher(part).matches() || names.size() == MAX_URL_NAMES) {
        break;
      }
      names.add(part.toLowerCase(Locale.ROOT));
    }
    return names;
  }
}
