package dev.extsvc.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.extsvc.runtime.store.ActivityMinute;
import dev.extsvc.runtime.store.AlertRow;
import dev.extsvc.runtime.store.CallbackInsert;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.CorrelationValue;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationPage;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Lease;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.NodeLease;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.store.SearchText;
import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.runtime.store.TokenLookup;
import dev.extsvc.runtime.store.TokenRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Store} on plain JDBC: an SQLite file (the embedded default) or a PostgreSQL database
 * that several nodes share. Tables are named {@code extsvc_*} and migrated on creation, so they can
 * live in a database of the user's own. What differs between the databases is the {@link
 * JdbcDialect}'s; this class never asks which one it is.
 */
public final class JdbcStore implements Store {
  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

  /**
   * How long a caller waits for a connection of the store's own pool before the store counts as
   * unavailable.
   */
  static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  /** Connections of the pool the store makes for a server database (PostgreSQL). */
  static final int POOL_SIZE = 10;

  /**
   * Connections of the node's upkeep pool, kept apart from {@link #POOL_SIZE} so that no request
   * load can starve them: one held by the {@code LISTEN} for service changes, one for the heartbeat
   * (with the clock's reading and the reaping of dead nodes, all on the membership's one thread)
   * and one for lease renewals (on the worker's one renewal thread). Each user is a single thread,
   * so none waits for another.
   */
  static final int CONTROL_POOL_SIZE = 3;

  /**
   * How long upkeep waits for a connection of its pool: well under the default heartbeat interval,
   * so a heartbeat that cannot go through fails fast and the node's {@code Liveness} counts it.
   */
  static final Duration CONTROL_CONNECTION_TIMEOUT = Duration.ofMillis(1000);

  static final String TIMEOUT_REASON = "Callback timeout reached";

  /** Events per multi-row insert, four parameters each. */
  static final int EVENTS_PER_STATEMENT = 1000;

  private final Database database;

  /**
   * Where the node's upkeep runs (heartbeats, reaping dead nodes, lease renewals, the shared clock,
   * the {@code LISTEN}): a small pool of its own with bounded timeouts when the store owns its
   * pool; else the same database as everything else.
   */
  private final Database control;

  private final JdbcDialect dialect;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Stopped before the database closes, so no listener outlives its pool. */
  private final List<Watch> watches = new CopyOnWriteArrayList<>();

  /** Where the dialect queues search words: what moves them into the documents. */
  private final @Nullable SearchIndexer indexer;

  private JdbcStore(
      Database database, Database control, JdbcDialect dialect, Duration searchIndexing) {
    this.database = database;
    this.control = control;
    this.dialect = dialect;
    this.indexer =
        dialect.indexesSearchLater() ? new SearchIndexer(database, dialect, searchIndexing) : null;
  }

  /** Both units the store works on: requests, and the node's upkeep. */
  private record Databases(Database requests, Database control) {
    static Databases one(Database database) {
      return new Databases(database, database);
    }
  }

  /**
   * A store in an SQLite file (WAL, synchronous FULL), created with its parent directories if
   * missing.
   */
  public static JdbcStore sqlite(Path databaseFile) {
    return sqlite(databaseFile, SearchIndexer.PERIOD);
  }

  /**
   * @param searchIndexing how often queued search words move into the documents (tests: rarely)
   */
  static JdbcStore sqlite(Path databaseFile, Duration searchIndexing) {
    var file = databaseFile.toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new StoreUnavailableException("Cannot create the directory of " + file, e);
    }
    var dialect = SqliteDialect.INSTANCE;
    return open(dialect, () -> Databases.one(dialect.file(file)), searchIndexing);
  }

  /**
   * A store in a PostgreSQL database, through a connection pool of its own.
   *
   * @throws IllegalArgumentException when the URL is not a PostgreSQL one
   */
  public static JdbcStore postgres(String jdbcUrl, String user, String password) {
    return pooled(Dialect.POSTGRESQL, jdbcUrl, user, password);
  }

  /**
   * A store over a data source the caller configured and keeps owning ({@link #close()} leaves it
   * open). For SQLite, set WAL, {@code foreign_keys} and a busy timeout on it; writes are still
   * serialised by the store.
   */
  public static JdbcStore create(DataSource dataSource, Dialect dialect) {
    return create(dataSource, dialect, SearchIndexer.PERIOD);
  }

  /**
   * @param searchIndexing how often queued search words move into the documents (tests: rarely)
   */
  static JdbcStore create(DataSource dataSource, Dialect dialect, Duration searchIndexing) {
    var jdbc = dialect.jdbc();
    return open(
        jdbc,
        () -> {
          Migrations.migrate(dataSource, jdbc);
          return Databases.one(jdbc.database(dataSource, null));
        },
        searchIndexing);
  }

  /**
   * As {@link #create(DataSource, Dialect)}, with the dialect recognised from the database's
   * product name.
   *
   * @throws IllegalArgumentException for a database the store does not support, naming it and those
   *     it does
   */
  public static JdbcStore create(DataSource dataSource) {
    return create(dataSource, Dialect.of(dataSource));
  }

  /**
   * Over connection pools of the store's own, which it closes with itself: one for requests and a
   * small one for the node's upkeep ({@link #CONTROL_POOL_SIZE}), so that heartbeats, reaping and
   * lease renewals never wait behind callbacks for a connection.
   */
  private static JdbcStore pooled(Dialect dialect, String jdbcUrl, String user, String password) {
    dialect.requireUrl(jdbcUrl);
    var jdbc = dialect.jdbc();
    String name = "extsvc-" + dialect.name().toLowerCase(Locale.ROOT);
    var config = poolConfig(jdbcUrl, user, password, name, POOL_SIZE, CONNECTION_TIMEOUT);
    jdbc.poolProperties().forEach(config::addDataSourceProperty);
    var controlConfig =
        poolConfig(
            jdbcUrl,
            user,
            password,
            name + "-upkeep",
            CONTROL_POOL_SIZE,
            CONTROL_CONNECTION_TIMEOUT);
    controlConfig.setValidationTimeout(CONTROL_CONNECTION_TIMEOUT.toMillis() / 2);
    jdbc.controlPoolProperties().forEach(controlConfig::addDataSourceProperty);
    return open(
        jdbc,
        () -> {
          var pool = new HikariDataSource(config);
          HikariDataSource controlPool = null;
          try {
            Migrations.migrate(pool, jdbc);
            controlPool = new HikariDataSource(controlConfig);
            return new Databases(
                jdbc.database(pool, pool), new DirectDatabase(controlPool, jdbc, controlPool));
          } catch (RuntimeException e) {
            if (controlPool != null) {
              controlPool.close();
            }
            pool.close();
            throw e;
          }
        });
  }

  private static HikariConfig poolConfig(
      String jdbcUrl, String user, String password, String name, int size, Duration timeout) {
    var config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName(name);
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(timeout.toMillis());
    return config;
  }

  private static JdbcStore open(JdbcDialect dialect, Supplier<Databases> opener) {
    return open(dialect, opener, SearchIndexer.PERIOD);
  }

  private static JdbcStore open(
      JdbcDialect dialect, Supplier<Databases> opener, Duration searchIndexing) {
    try {
      Databases databases = opener.get();
      return new JdbcStore(databases.requests(), databases.control(), dialect, searchIndexing);
    } catch (RuntimeException e) {
      throw Errors.onOpen(e, dialect);
    }
  }

  @Override
  public void saveService(ServiceRow service) {
    write(
        tx ->
            tx.update(
                dialect.saveService(),
                service.name(),
                service.version(),
                service.document(),
                service.registeredAt()));
  }

  @Override
  public List<ServiceRow> services() {
    return read(tx -> tx.query(Sql.SERVICES, Rows::service));
  }

  @Override
  public Optional<ServiceRow> service(String name) {
    return read(tx -> tx.queryOne(Sql.SERVICE, Rows::service, name));
  }

  @Override
  public boolean removeService(String name) {
    return write(tx -> tx.update(Sql.DELETE_SERVICE, name) == 1);
  }

  @Override
  public long servicesVersion() {
    return read(tx -> tx.queryOne(Sql.SERVICES_VERSION, row -> row.getLong(1)))
        .orElseThrow(() -> new IllegalStateException("extsvc_services_version has no row"));
  }

  /**
   * On PostgreSQL, a thread of its own holds one connection (of the upkeep pool, when the store has
   * one) to {@code LISTEN} for the trigger's notifications, reconnecting after a failure; elsewhere
   * nothing is watched.
   */
  @Override
  public Watch watchServices(Runnable changed) {
    ensureOpen();
    Watch watch = dialect.watchServices(control, changed);
    watches.add(watch);
    return () -> {
      watches.remove(watch);
      watch.close();
    };
  }

  /**
   * The invocation, its tokens, events and search words in one transaction; on PostgreSQL in one
   * statement ({@link Sql#createInvocation}), one round trip on the group's connection instead of
   * four. Everything that is not SQL (the tokens' JSON, the request's words, the parameters) is
   * made here, on the caller's thread, before the work is queued: on SQLite the one writer thread
   * runs the work, and what it spends on anything but statements every other write waits for.
   */
  @Override
  public void createInvocation(
      InvocationRow invocation, List<TokenRow> tokens, List<NewEvent> events) {
    @Nullable Object[] row = invocationParams(invocation);
    @Nullable Object[] state = stateParams(invocation, dialect.activityInState());
    @Nullable Object[] tokenParams = tokenParams(tokens);
    String words = SearchText.indexedWords(invocation.request());
    if (dialect.dataModifyingWith() && inlineable(invocation, events)) {
      @Nullable Object[] all =
          concat(
              row,
              state,
              tokenParams,
              words.isEmpty() ? new Object[0] : new Object[] {invocation.id(), words},
              eventParams(events));
      String sql = Sql.createInvocation(tokens.size(), events.size(), !words.isEmpty());
      write(tx -> tx.update(sql, all));
      return;
    }
    write(
        tx -> {
          tx.update(Sql.INSERT_INVOCATION, row);
          tx.update(
              dialect.activityInState() ? Sql.INSERT_STATE_WITH_ACTIVITY : Sql.INSERT_STATE, state);
          if (!tokens.isEmpty()) {
            tx.update(Sql.insertTokens(tokens.size()), tokenParams);
          }
          insertEvents(tx, events);
          if (!words.isEmpty()) {
            dialect.insertSearch(tx, invocation.id(), words);
          }
          return null;
        });
  }

  /**
   * As {@link #createInvocation}: the answer's words are found before the work is queued; on
   * PostgreSQL the answer, its words and its event are one statement ({@link
   * Sql#recordSyncAnswer}).
   */
  @Override
  public void recordSyncAnswer(
      UUID invocationId, int status, String headersJson, @Nullable String body, NewEvent event) {
    String words = SearchText.indexedWords(body);
    if (dialect.dataModifyingWith()) {
      @Nullable Object[] params =
          concat(
              new @Nullable Object[] {status, headersJson, body, invocationId},
              words.isEmpty() ? new Object[0] : new Object[] {words},
              new Object[] {event.at(), event.kind().name(), event.message()});
      String sql = Sql.recordSyncAnswer(!words.isEmpty());
      write(
          tx -> {
            requireOne(tx.update(sql, params), "invocation", invocationId);
            return null;
          });
      return;
    }
    write(
        tx -> {
          requireOne(
              tx.update(Sql.RECORD_SYNC_ANSWER, status, headersJson, body, invocationId),
              "invocation",
              invocationId);
          insertEvents(tx, List.of(event));
          indexWords(tx, invocationId, words);
          return null;
        });
  }

  /** Events an invocation's one statement carries at most; more go as statements of their own. */
  static final int MAX_EVENTS_INLINE = 64;

  /**
   * Whether the invocation's events may go in its one statement. The activity triggers (V9) of the
   * invocation's row and of its events fire at the statement's end in an order of the database's:
   * an event later than the submit time could then find no activity row to move forward. Events at
   * the submit time move nothing (an invocation's own, always), so their order cannot matter.
   */
  private static boolean inlineable(InvocationRow invocation, List<NewEvent> events) {
    if (events.isEmpty() || events.size() > MAX_EVENTS_INLINE) {
      return false;
    }
    for (var event : events) {
      if (event.at().isAfter(invocation.submitTime())) {
        return false;
      }
    }
    return true;
  }

  /** The parameters of {@link Sql#INSERT_INVOCATION}. */
  private static @Nullable Object[] invocationParams(InvocationRow invocation) {
    return new @Nullable Object[] {
      invocation.id(),
      invocation.service(),
      invocation.operation(),
      invocation.async(),
      invocation.handlerType(),
      invocation.handlerState(),
      invocation.request(),
      invocation.syncStatus(),
      invocation.syncHeaders(),
      invocation.syncBody(),
      invocation.submitTime(),
      invocation.traceContext()
    };
  }

  /**
   * The parameters of {@link Sql#INSERT_STATE}, and with {@code activity} of {@link
   * Sql#INSERT_STATE_WITH_ACTIVITY}.
   */
  private static @Nullable Object[] stateParams(InvocationRow invocation, boolean activity) {
    var state =
        new @Nullable Object[] {
          invocation.id(),
          invocation.status(),
          invocation.reason(),
          invocation.deadline(),
          invocation.finishedAt(),
          invocation.submitTime()
        };
    return activity ? state : Arrays.copyOf(state, 5);
  }

  /** Each event's (invocation_id, at, kind, message), in order. */
  private static @Nullable Object[] eventParams(List<NewEvent> events) {
    var params = new @Nullable Object[events.size() * 4];
    int i = 0;
    for (var event : events) {
      params[i++] = event.invocationId();
      params[i++] = event.at();
      params[i++] = event.kind().name();
      params[i++] = event.message();
    }
    return params;
  }

  private static @Nullable Object[] concat(@Nullable Object[]... parts) {
    int n = 0;
    for (var part : parts) {
      n += part.length;
    }
    var all = new @Nullable Object[n];
    int at = 0;
    for (var part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  /**
   * The parameters of an invocation's tokens in one multi-row insert ({@link Sql#insertTokens}).
   */
  private static @Nullable Object[] tokenParams(List<TokenRow> tokens) {
    var params = new @Nullable Object[tokens.size() * 5];
    int i = 0;
    for (var token : tokens) {
      params[i++] = token.tokenHash();
      params[i++] = token.invocationId();
      params[i++] = token.target();
      params[i++] = Rows.keysJson(token.keys());
      params[i++] = Rows.suffixesJson(token.suffixes());
    }
    return params;
  }

  /**
   * A callback row's twelve columns in the order of {@link Sql#INSERT_CALLBACK}, then {@code more}:
   * the parameters of every statement that inserts a callback.
   */
  private static @Nullable Object[] callbackColumns(
      CallbackRow callback, @Nullable Object... more) {
    return concat(
        new @Nullable Object[] {
          callback.id(),
          callback.invocationId(),
          callback.key(),
          callback.receivedAt(),
          callback.method(),
          callback.headers(),
          callback.body(),
          callback.dedupKey(),
          callback.outcome(),
          callback.answerCode(),
          callback.attempts(),
          callback.error()
        },
        more);
  }

  /** Inserts the callback row; false when its dedup key was already stored (nothing inserted). */
  private boolean insertCallbackRow(Tx tx, CallbackRow callback) throws SQLException {
    return tx.update(dialect.insertCallback(), callbackColumns(callback)) == 1;
  }

  /**
   * Indexes a stored document's words for search, in the transaction that stores it: appended to
   * the invocation's one search document. The words ({@link SearchText#indexedWords}, a JSON parse)
   * are found before the write is queued, off the writer's thread.
   */
  private void indexWords(Tx tx, UUID invocationId, String words) throws SQLException {
    if (!words.isEmpty()) {
      dialect.appendSearch(tx, invocationId, words);
    }
  }

  @Override
  public boolean finish(
      UUID invocationId,
      InvocationStatus status,
      @Nullable String reason,
      Instant at,
      NewEvent event) {
    if (!status.isFinal()) {
      throw new IllegalArgumentException(
          "An invocation can only finish in a final status, not " + status);
    }
    return write(
        tx -> {
          boolean moved = tx.update(Sql.FINISH, status, reason, at, invocationId) == 1;
          if (moved) {
            insertEvents(tx, List.of(event));
          }
          return moved;
        });
  }

  @Override
  public Optional<InvocationRow> invocation(UUID id) {
    return read(tx -> tx.queryOne(Sql.INVOCATION, Rows::invocation, id));
  }

  @Override
  public InvocationPage invocationPage(InvocationQuery query) {
    return invocationPage(query, null);
  }

  /**
   * The page, a search found by the plan given, or by the one its count of matches picks when null
   * ({@link JdbcDialect#searchMatchesUpTo()}).
   */
  InvocationPage invocationPage(InvocationQuery query, Sql.@Nullable SearchPlan plan) {
    record Walked(InvocationRow row, Instant lastActivity) {}
    String text = query.text();
    indexQueuedWords(text);
    var walked =
        read(
            tx -> {
              Sql.SearchPlan chosen = plan;
              if (chosen == null) {
                chosen = text == null ? Sql.SearchPlan.MATCHES : searchPlan(tx, text);
              }
              var statement = Sql.invocations(query, dialect, chosen);
              return tx.query(
                  statement.sql(),
                  row -> new Walked(Rows.invocation(row), Rows.instant(row.getLong("at"))),
                  statement.params().toArray());
            });
    var activity = new HashMap<UUID, Instant>();
    walked.forEach(w -> activity.put(w.row().id(), w.lastActivity()));
    return InvocationPage.of(
        query, walked.stream().map(Walked::row).toList(), r -> activity.get(r.id()));
  }

  /** A search finds every committed word: those still queued are indexed first. */
  private void indexQueuedWords(@Nullable String text) {
    if (text != null && indexer != null) {
      SearchIndexer.indexAll(database, dialect);
    }
  }

  /**
   * The database's plan for the list query of {@link #invocationPage(InvocationQuery)} (SQLite's
   * {@code EXPLAIN QUERY PLAN}, PostgreSQL's {@code EXPLAIN}), one line each, after the search plan
   * picked for it: for the benchmark harness and for looking into a slow search.
   */
  public List<String> explainInvocationPage(InvocationQuery query) {
    String text = query.text();
    indexQueuedWords(text);
    return read(
        tx -> {
          var lines = new ArrayList<String>();
          Sql.SearchPlan plan = Sql.SearchPlan.MATCHES;
          if (text != null) {
            plan = searchPlan(tx, text);
            lines.add("search plan: " + plan);
          }
          var statement = Sql.invocations(query, dialect, plan);
          lines.addAll(
              tx.query(
                  dialect.explain() + statement.sql(),
                  row -> row.getString(row.getMetaData().getColumnCount()),
                  statement.params().toArray()));
          return lines;
        });
  }

  /** Sorting the matches for few, walking the list for many: a count that stops past the line. */
  private Sql.SearchPlan searchPlan(Tx tx, String text) throws SQLException {
    int upTo = dialect.searchMatchesUpTo();
    long matches =
        tx.queryOne(
                dialect.searchCount(),
                row -> row.getLong(1),
                dialect.searchTerms(SearchText.words(text)),
                upTo + 1)
            .orElse(0L);
    return matches > upTo ? Sql.SearchPlan.EACH_ROW : Sql.SearchPlan.MATCHES;
  }

  @Override
  public Map<InvocationStatus, Long> countByStatus() {
    var counts = new EnumMap<InvocationStatus, Long>(InvocationStatus.class);
    for (var status : InvocationStatus.values()) {
      counts.put(status, 0L);
    }
    var rows =
        read(
            tx ->
                tx.query(
                    Sql.COUNT_BY_STATUS,
                    row -> Map.entry(InvocationStatus.valueOf(row.getString(1)), row.getLong(2))));
    rows.forEach(row -> counts.put(row.getKey(), row.getValue()));
    return counts;
  }

  @Override
  public Optional<TokenRow> token(byte[] tokenHash) {
    return read(tx -> tx.queryOne(Sql.TOKEN, Rows::token, (Object) tokenHash));
  }

  @Override
  public Optional<TokenLookup> tokenWithInvocation(byte[] tokenHash) {
    return read(
        tx ->
            tx.queryOne(
                Sql.TOKEN_WITH_INVOCATION,
                row ->
                    new TokenLookup(
                        Rows.token(row), Rows.invocation(row), row.getLong("stored_callbacks")),
                (Object) tokenHash));
  }

  @Override
  public CallbackInsert insertCallback(CallbackRow callback, NewEvent event) {
    String words = SearchText.indexedWords(callback.body());
    return write(tx -> insert(tx, callback, words, event));
  }

  /**
   * The insert and, when the callback is new, the claim: one transaction, one commit. The body's
   * search words are found here, on the caller's thread, before the work is queued (as {@link
   * #createInvocation}): on SQLite the one writer thread runs statements only.
   */
  @Override
  public CallbackInsert insertCallbackAndClaim(
      CallbackRow callback, NewEvent event, String nodeId, Instant until) {
    String words = SearchText.indexedWords(callback.body());
    var together = dialect.insertCallbackAndClaim(!words.isEmpty());
    if (together != null) {
      return write(tx -> insertAndClaim(tx, together, callback, words, event, nodeId, until));
    }
    return write(
        tx -> {
          var insert = insert(tx, callback, words, event);
          if (insert.duplicate()) {
            return insert;
          }
          var lease =
              claim(
                  tx, callback.invocationId(), callback.id(), nodeId, callback.receivedAt(), until);
          return new CallbackInsert(insert.row(), false, lease.orElse(null));
        });
  }

  /** What {@link JdbcDialect#insertCallbackAndClaim()} answers. */
  private record InsertedClaim(boolean inserted, @Nullable Long fence) {}

  /**
   * The insert, its event, the claim and (when there are {@code words}) the append of the body's
   * words to the invocation's search document as one statement of the dialect's.
   */
  private CallbackInsert insertAndClaim(
      Tx tx,
      String statement,
      CallbackRow callback,
      String words,
      NewEvent event,
      String nodeId,
      Instant until)
      throws SQLException {
    var params =
        callbackColumns(
            callback,
            event.at(),
            event.kind().name(),
            event.message(),
            until,
            nodeId,
            callback.receivedAt());
    var result =
        tx.queryOne(
                statement,
                row -> {
                  boolean inserted = row.getLong(1) == 1;
                  long fence = row.getLong(2);
                  return new InsertedClaim(inserted, row.wasNull() ? null : fence);
                },
                words.isEmpty() ? params : concat(params, new Object[] {words}))
            .orElseThrow();
    if (!result.inserted()) {
      return duplicateOf(tx, callback);
    }
    Long fence = result.fence();
    return new CallbackInsert(
        callback,
        false,
        fence == null ? null : new Lease(callback.invocationId(), callback.id(), fence));
  }

  /**
   * One transaction of four statements: the insert, the invocation completed if free (the claim and
   * the completion in one update), the callback recorded, and every event in one multi-row insert.
   */
  @Override
  public CallbackInsert insertCallbackAndComplete(
      CallbackRow callback,
      NewEvent event,
      String nodeId,
      Instant until,
      List<NewEvent> completion) {
    String words = SearchText.indexedWords(callback.body());
    return write(
        tx -> {
          var insert = insert(tx, callback, words, event, false);
          if (insert.duplicate()) {
            return insert;
          }
          Instant at = callback.receivedAt();
          boolean completed = tx.update(Sql.COMPLETE_IF_FREE, at, callback.invocationId(), at) == 1;
          var events = new ArrayList<NewEvent>();
          events.add(event);
          if (!completed) {
            insertEvents(tx, events);
            return insert;
          }
          requireOne(
              tx.update(Sql.UPDATE_CALLBACK, CallbackOutcome.HANDLED, 200, null, callback.id()),
              "callback",
              callback.id());
          events.addAll(completion);
          insertEvents(tx, events);
          var handled =
              new CallbackRow(
                  callback.id(),
                  callback.invocationId(),
                  callback.key(),
                  callback.receivedAt(),
                  callback.method(),
                  callback.headers(),
                  callback.body(),
                  callback.dedupKey(),
                  CallbackOutcome.HANDLED,
                  200,
                  callback.attempts() + 1,
                  null);
          return new CallbackInsert(handled, false);
        });
  }

  private CallbackInsert insert(Tx tx, CallbackRow callback, String words, NewEvent event)
      throws SQLException {
    return insert(tx, callback, words, event, true);
  }

  /**
   * @param words the body's search words ({@link SearchText#indexedWords}), found before the write
   * @param withEvent whether the event is written here; else the caller writes it with others
   */
  private CallbackInsert insert(
      Tx tx, CallbackRow callback, String words, NewEvent event, boolean withEvent)
      throws SQLException {
    var together = withEvent ? dialect.insertCallbackWithEvent(!words.isEmpty()) : null;
    if (together != null) {
      var params = callbackColumns(callback, event.at(), event.kind().name(), event.message());
      if (tx.update(together, words.isEmpty() ? params : concat(params, new Object[] {words}))
          == 1) {
        return new CallbackInsert(callback, false);
      }
      return duplicateOf(tx, callback);
    }
    boolean inserted = insertCallbackRow(tx, callback);
    if (inserted) {
      if (withEvent) {
        insertEvents(tx, List.of(event));
      }
      indexWords(tx, callback.invocationId(), words);
      return new CallbackInsert(callback, false);
    }
    return duplicateOf(tx, callback);
  }

  /** The stored callback whose dedup key a new one's insert conflicted with. */
  private static CallbackInsert duplicateOf(Tx tx, CallbackRow callback) throws SQLException {
    // The constraint absorbed the insert, so the other row is committed (PostgreSQL waited for it)
    // or written earlier in this transaction (a group commit), and visible either way.
    var existing =
        tx.queryOne(
                Sql.CALLBACK_BY_DEDUP_KEY,
                Rows::callback,
                callback.invocationId(),
                callback.dedupKey())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Callback " + callback.dedupKey() + " conflicts but is not there"));
    return new CallbackInsert(existing, true);
  }

  // --- correlation by business key and early callbacks (V12) ---

  @Override
  public void recordCorrelations(
      UUID invocationId, String service, List<CorrelationValue> values, List<NewEvent> events) {
    write(
        tx -> {
          var rows = new ArrayList<@Nullable Object[]>();
          for (var v : values) {
            rows.add(new Object[] {invocationId, service, v.operation(), v.key(), v.value()});
          }
          tx.batch(CorrelationSql.INSERT_CORRELATION, rows);
          insertEvents(tx, events);
          return null;
        });
  }

  @Override
  public List<InvocationRow> invocationsByCorrelation(
      String service, String operation, String key, String value, int limit) {
    return read(
        tx ->
            tx.query(
                CorrelationSql.INVOCATIONS_BY_VALUE,
                Rows::invocation,
                service,
                operation,
                key,
                value,
                limit));
  }

  @Override
  public EarlyCallbackRow holdEarlyCallback(EarlyCallbackRow early) {
    return write(
        tx -> {
          boolean inserted =
              tx.update(
                      CorrelationSql.INSERT_EARLY,
                      early.id(),
                      early.service(),
                      early.operation(),
                      early.key(),
                      early.value(),
                      early.receivedAt(),
                      early.method(),
                      early.headers(),
                      early.body(),
                      early.dedupKey(),
                      early.holdUntil())
                  == 1;
          return tx.queryOne(
                  inserted ? CorrelationSql.EARLY : CorrelationSql.EARLY_BY_DEDUP,
                  CorrelationSql::early,
                  inserted
                      ? new Object[] {early.id()}
                      : new Object[] {early.service(), early.dedupKey()})
              .orElseThrow(
                  () ->
                      new IllegalStateException("Early callback " + early.id() + " is not there"));
        });
  }

  @Override
  public List<EarlyCallbackRow> heldEarlyCallbacks(
      String service, String operation, String key, String value) {
    return read(
        tx ->
            tx.query(
                CorrelationSql.HELD_FOR_VALUE,
                CorrelationSql::early,
                service,
                operation,
                key,
                value));
  }

  @Override
  public Optional<CallbackInsert> deliverEarlyCallback(
      UUID earlyId, CallbackRow callback, NewEvent event) {
    String words = SearchText.indexedWords(callback.body());
    return write(
        tx -> {
          if (tx.update(CorrelationSql.TAKE_EARLY, callback.invocationId(), earlyId) != 1) {
            return Optional.<CallbackInsert>empty();
          }
          boolean inserted = insertCallbackRow(tx, callback);
          if (inserted) {
            insertEvents(tx, List.of(event));
            // searchable like any callback body (insertCallback indexes in its transaction too)
            indexWords(tx, callback.invocationId(), words);
            return Optional.of(new CallbackInsert(callback, false));
          }
          return tx.queryOne(
                  Sql.CALLBACK_BY_DEDUP_KEY,
                  Rows::callback,
                  callback.invocationId(),
                  callback.dedupKey())
              .map(existing -> new CallbackInsert(existing, true));
        });
  }

  @Override
  public List<EarlyCallbackRow> expireEarlyCallbacks(Instant now, int limit) {
    return write(
        tx -> {
          var dead = new ArrayList<EarlyCallbackRow>();
          for (UUID id :
              tx.query(CorrelationSql.DUE_EARLY, row -> Rows.uuid(row, "id"), now, limit)) {
            // conditional: of nodes expiring at once, and a delivery racing in, one wins
            if (tx.update(CorrelationSql.KILL_EARLY, now, id) == 1) {
              tx.queryOne(CorrelationSql.EARLY, CorrelationSql::early, id).ifPresent(dead::add);
            }
          }
          return dead;
        });
  }

  @Override
  public Optional<EarlyCallbackRow> earlyCallback(UUID id) {
    return read(tx -> tx.queryOne(CorrelationSql.EARLY, CorrelationSql::early, id));
  }

  @Override
  public List<EarlyCallbackRow> earlyCallbacks(int limit) {
    return read(tx -> tx.query(CorrelationSql.EARLY_LIST, CorrelationSql::early, limit));
  }

  @Override
  public List<EarlyCallbackRow> earlyCallbacks(boolean dead, int limit) {
    return read(
        tx ->
            tx.query(
                dead ? CorrelationSql.DEAD_LIST : CorrelationSql.HELD_LIST,
                CorrelationSql::early,
                limit));
  }

  @Override
  public boolean holdEarlyCallbackAgain(UUID id, Instant until) {
    return write(tx -> tx.update(CorrelationSql.HOLD_AGAIN, until, id) == 1);
  }

  @Override
  public boolean updateCallback(
      UUID callbackId,
      CallbackOutcome outcome,
      @Nullable Integer answerCode,
      @Nullable String error,
      NewEvent event) {
    return write(
        tx -> {
          if (!settledUnlessHandled(
              tx,
              tx.update(Sql.UPDATE_CALLBACK, outcome, answerCode, error, callbackId),
              callbackId)) {
            return false;
          }
          insertEvents(tx, List.of(event));
          return true;
        });
  }

  /**
   * As the contract says; in addition, a {@code COMPLETED} event among {@code events} is only kept
   * when the invocation did move, so the log of an invocation that timed out meanwhile does not
   * claim it completed.
   */
  @Override
  public boolean completeWithCallback(Lease lease, Instant at, List<NewEvent> events) {
    var oneStatement =
        lease.callbackIds().size() == 1 ? dialect.completeOneCallback(events.size()) : null;
    if (oneStatement != null) {
      return write(tx -> completeOne(tx, oneStatement, lease, at, events));
    }
    return write(
        tx -> {
          if (!holds(tx, lease)) {
            return false;
          }
          if (!handledAll(tx, lease)) {
            return false;
          }
          boolean moved =
              tx.update(Sql.FINISH, InvocationStatus.COMPLETED, null, at, lease.invocationId())
                  == 1;
          insertEvents(
              tx,
              moved
                  ? events
                  : events.stream().filter(e -> e.kind() != EventKind.COMPLETED).toList());
          return true;
        });
  }

  /** {@link #completeWithCallback} of a one-callback lease as one statement of the dialect's. */
  private static boolean completeOne(
      Tx tx, String statement, Lease lease, Instant at, List<NewEvent> events) throws SQLException {
    var params = new @Nullable Object[4 + events.size() * 4];
    params[0] = lease.invocationId();
    params[1] = lease.fence();
    params[2] = lease.callbackIds().get(0);
    params[3] = at;
    int i = 4;
    for (var event : events) {
      params[i++] = event.invocationId();
      params[i++] = event.at();
      params[i++] = event.kind().name();
      params[i++] = event.message();
    }
    var held =
        tx.queryOne(
                statement,
                row -> row.getLong(1) == 1 && row.getLong(2) == 1 ? 2 : row.getLong(1) == 1 ? 1 : 0,
                params)
            .orElseThrow();
    if (held == 0) {
      return false;
    }
    // held, but the callback was not settled: HANDLED already (false) or not there (a caller bug)
    return held == 2 || settledUnlessHandled(tx, 0, lease.callbackIds().get(0));
  }

  @Override
  public boolean recordProgress(Lease lease, Instant at, List<NewEvent> events) {
    return write(
        tx -> {
          if (!holds(tx, lease) || !handledAll(tx, lease)) {
            return false;
          }
          releaseHeld(tx, lease);
          insertEvents(tx, events);
          return true;
        });
  }

  @Override
  public boolean moveDeadline(UUID invocationId, Instant from, Instant to, NewEvent event) {
    return write(
        tx -> {
          if (tx.update(Sql.MOVE_DEADLINE, to, invocationId, from) != 1) {
            return false;
          }
          insertEvents(tx, List.of(event));
          return true;
        });
  }

  /** Marks every callback of the lease HANDLED (answer 200); false when one is HANDLED already. */
  private static boolean handledAll(Tx tx, Lease lease) throws SQLException {
    return settleAll(
        tx, lease, id -> tx.update(Sql.UPDATE_CALLBACK, CallbackOutcome.HANDLED, 200, null, id));
  }

  /** One settling update of a callback, conditional on it not being HANDLED. */
  @FunctionalInterface
  private interface Settling {
    int update(UUID callbackId) throws SQLException;
  }

  /**
   * Settles every callback of the lease; false, having written none of them, when one is HANDLED
   * already. A batch is checked before the first update, since work that returns false still
   * commits what it wrote; a lease of one callback needs no read.
   */
  private static boolean settleAll(Tx tx, Lease lease, Settling settling) throws SQLException {
    List<UUID> ids = lease.callbackIds();
    if (ids.size() > 1) {
      for (UUID id : ids) {
        var row =
            tx.queryOne(Sql.CALLBACK, Rows::callback, id)
                .orElseThrow(() -> new IllegalStateException("No callback " + id));
        if (row.outcome() == CallbackOutcome.HANDLED) {
          return false;
        }
      }
    }
    for (UUID id : ids) {
      if (!settledUnlessHandled(tx, settling.update(id), id)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean settleCallback(
      Lease lease, CallbackOutcome outcome, int answerCode, String error, NewEvent event) {
    return write(
        tx -> {
          if (!holds(tx, lease)) {
            return false;
          }
          if (!settleAll(
              tx, lease, id -> tx.update(Sql.UPDATE_CALLBACK, outcome, answerCode, error, id))) {
            return false;
          }
          releaseHeld(tx, lease);
          insertEvents(tx, List.of(event));
          return true;
        });
  }

  /**
   * Whether the lease's fence is unchanged; on PostgreSQL the row stays locked until the commit.
   */
  private boolean holds(Tx tx, Lease lease) throws SQLException {
    return !tx.query(dialect.hold(), row -> true, lease.invocationId(), lease.fence()).isEmpty();
  }

  /**
   * Whether a settling update of a callback (conditional on its outcome not being HANDLED) wrote
   * its row: false when the callback is HANDLED already, so nothing else of the settlement may be
   * written either; throws when there is no such callback.
   */
  private static boolean settledUnlessHandled(Tx tx, int updated, UUID callbackId)
      throws SQLException {
    if (updated == 1) {
      return true;
    }
    if (tx.queryOne(Sql.CALLBACK, Rows::callback, callbackId).isEmpty()) {
      throw new IllegalStateException("No callback " + callbackId);
    }
    return false;
  }

  private static void releaseHeld(Tx tx, Lease lease) throws SQLException {
    tx.update(Sql.RELEASE, lease.invocationId(), lease.callbackId(), lease.fence());
  }

  @Override
  public Optional<CallbackRow> callback(UUID callbackId) {
    return read(tx -> tx.queryOne(Sql.CALLBACK, Rows::callback, callbackId));
  }

  @Override
  public List<CallbackRow> callbacks(UUID invocationId) {
    return read(tx -> tx.query(Sql.CALLBACKS, Rows::callback, invocationId));
  }

  @Override
  public Optional<CallbackRow> callbackByDedupKey(UUID invocationId, String dedupKey) {
    return read(
        tx -> tx.queryOne(Sql.CALLBACK_BY_DEDUP_KEY, Rows::callback, invocationId, dedupKey));
  }

  @Override
  public long callbackCount(UUID invocationId, Instant after) {
    return read(
        tx ->
            tx.queryOne(Sql.CALLBACK_COUNT, row -> row.getLong(1), invocationId, after).orElse(0L));
  }

  @Override
  public long callbackBytes() {
    return read(tx -> tx.queryOne(Sql.CALLBACK_BYTES, row -> row.getLong(1)).orElse(0L));
  }

  @Override
  public void appendEvent(NewEvent event) {
    write(
        tx -> {
          insertEvents(tx, List.of(event));
          return null;
        });
  }

  @Override
  public List<EventRow> events(UUID invocationId) {
    return read(
        tx -> {
          var rows = tx.query(Sql.EVENTS, Rows::event, invocationId);
          if (rows.stream().anyMatch(e -> e.kind() == EventKind.TIMED_OUT)) {
            return rows;
          }
          var timeout = tx.queryOne(Sql.TIMEOUT, JdbcStore::timeout, invocationId);
          if (timeout.isEmpty()) {
            return rows;
          }
          // The event the timeout wrote no row for, after the events written before it.
          Timeout t = timeout.get();
          int at = 0;
          while (at < rows.size() && !rows.get(at).at().isAfter(t.finishedAt())) {
            at++;
          }
          var all = new ArrayList<>(rows);
          all.add(at, t.event(at == 0 ? 0 : rows.get(at - 1).id()));
          return all;
        });
  }

  /**
   * What a timed-out invocation's state row says of its timeout: its TIMED_OUT event, for the
   * timeouts that write no event row ({@link #timeOut}).
   */
  private record Timeout(UUID invocationId, Instant finishedAt, Instant deadline) {
    /** The event, with the id of the event before it (ids are the order of writing). */
    EventRow event(long id) {
      return new EventRow(
          id, invocationId, finishedAt, EventKind.TIMED_OUT, TIMEOUT_REASON + " at " + deadline);
    }
  }

  private static Timeout timeout(ResultSet row) throws SQLException {
    return new Timeout(
        Rows.uuid(row, "id"), Rows.instantAt(row, "finished_at"), Rows.instantAt(row, "deadline"));
  }

  /**
   * Two. On PostgreSQL a sweep's claims skip each other's rows ({@code FOR UPDATE SKIP LOCKED}),
   * and the server spends most of a batch updating rows and indexes, which a second backend does on
   * another core meanwhile. On SQLite the single writer updates one lane's batch while the other
   * lane reads the rows it timed out and runs their hooks ({@link #timedOutRows}): 100,000 of
   * 1,000,000 waiting took 8.5 s against 11.4 s in one lane.
   */
  @Override
  public int sweepLanes() {
    return 2;
  }

  @Override
  public List<UUID> dueInvocations(Instant now, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    return read(tx -> tx.query(dialect.dueInvocations(), row -> Rows.uuid(row, "id"), now, limit));
  }

  /**
   * One transaction: the update of the rows still due (one statement) and their activity. No event
   * row: a timed-out invocation's TIMED_OUT event is read from its state row ({@link #events}).
   * Measured on SQLite over 1,000,000 waiting invocations, the thousand event rows of a batch and
   * their index entries, one per invocation spread over the whole index, were 60 % of the pages a
   * batch wrote.
   */
  @Override
  public List<InvocationRow> timeOut(List<UUID> ids, Instant now) {
    if (ids.isEmpty()) {
      return List.of();
    }
    var moved = write(tx -> dialect.timeOut(tx, ids, now, TIMEOUT_REASON));
    List<InvocationRow> due = moved.rows();
    if (due == null) {
      due = moved.ids().isEmpty() ? List.of() : timedOutRows(moved.ids());
    }
    return due.stream().sorted(Comparator.comparing(InvocationRow::deadline)).toList();
  }

  /**
   * The rows of invocations {@link #timeOut} moved, read after its commit rather than inside it:
   * the single writer of SQLite does not wait for the read, and these columns of a TIMED_OUT
   * invocation change no more. Should the read fail, the invocations stay TIMED_OUT without their
   * hooks, as after a crash between the commit and the hooks (hooks run at most once).
   */
  private List<InvocationRow> timedOutRows(List<UUID> ids) {
    return read(tx -> dialect.timedOut(tx, ids));
  }

  @Override
  public Optional<Lease> claim(
      UUID invocationId, UUID callbackId, String nodeId, Instant now, Instant until) {
    return write(tx -> claim(tx, invocationId, callbackId, nodeId, now, until));
  }

  private static Optional<Lease> claim(
      Tx tx, UUID invocationId, UUID callbackId, String nodeId, Instant now, Instant until)
      throws SQLException {
    return tx.queryOne(
            Sql.CLAIM, row -> row.getLong(1), callbackId, until, nodeId, invocationId, now)
        .map(fence -> new Lease(invocationId, callbackId, fence));
  }

  @Override
  public boolean renew(Lease lease, Instant until) {
    return upkeep(tx -> tx.update(Sql.RENEW, until, lease.invocationId(), lease.fence()) == 1);
  }

  @Override
  public void release(Lease lease) {
    write(
        tx -> {
          releaseHeld(tx, lease);
          return null;
        });
  }

  @Override
  public boolean scheduleRetry(
      Lease lease, @Nullable Instant nextAttemptAt, Instant now, String error, NewEvent event) {
    return write(
        tx -> {
          if (!holds(tx, lease)) {
            return false;
          }
          if (!settleAll(
              tx,
              lease,
              id ->
                  tx.update(
                      Sql.SCHEDULE_RETRY,
                      error,
                      nextAttemptAt,
                      nextAttemptAt == null ? now : null,
                      id))) {
            return false;
          }
          releaseHeld(tx, lease);
          insertEvents(tx, List.of(event));
          return true;
        });
  }

  @Override
  public List<CallbackRow> dueCallbacks(Instant now, Instant receivedBefore, int limit) {
    return read(tx -> tx.query(Sql.DUE_CALLBACKS, Rows::callback, receivedBefore, now, now, limit));
  }

  @Override
  public boolean replayCallback(UUID callbackId, Instant now, NewEvent event) {
    return write(
        tx -> {
          boolean found = tx.update(Sql.REPLAY_CALLBACK, now, callbackId) == 1;
          if (found) {
            insertEvents(tx, List.of(event));
          }
          return found;
        });
  }

  @Override
  public Map<UUID, EventRow> lastEvents(Collection<UUID> invocationIds) {
    if (invocationIds.isEmpty()) {
      return Map.of();
    }
    var ids = List.copyOf(new LinkedHashSet<>(invocationIds));
    var byInvocation = new HashMap<UUID, EventRow>();
    var timeouts =
        read(
            tx -> {
              tx.query(Sql.lastEvents(ids.size()), Rows::event, ids.toArray())
                  .forEach(row -> byInvocation.put(row.invocationId(), row));
              return tx.query(Sql.timeouts(ids.size()), JdbcStore::timeout, ids.toArray());
            });
    // A timeout's event has no row (timeOut): it is the last one unless an event came after it. A
    // timeout that wrote a row wrote it at the state's finish time, so that row stays.
    for (Timeout t : timeouts) {
      EventRow last = byInvocation.get(t.invocationId());
      if (last == null || last.at().isBefore(t.finishedAt())) {
        byInvocation.put(t.invocationId(), t.event(last == null ? 0 : last.id()));
      }
    }
    return byInvocation;
  }

  @Override
  public List<InvocationRow> pendingDueBefore(Instant until, int limit) {
    return read(
        tx -> tx.query(dialect.pendingDueBefore(), Rows::invocation, until, positive(limit)));
  }

  @Override
  public List<CallbackRow> failedCallbacks(int limit) {
    return read(tx -> tx.query(Sql.FAILED_CALLBACKS, Rows::callback, positive(limit)));
  }

  @Override
  public List<ActivityMinute> activity(Instant from) {
    record Count(long minute, long count, long failures) {}
    var minutes = new TreeMap<Long, ActivityMinute>();
    read(
        tx -> {
          for (var c :
              tx.query(
                  Sql.SUBMITTED_PER_MINUTE,
                  row -> new Count(row.getLong(1), row.getLong(2), 0),
                  from)) {
            minutes.put(c.minute(), new ActivityMinute(minuteStart(c.minute()), c.count(), 0, 0));
          }
          for (var c :
              tx.query(
                  Sql.CALLBACKS_PER_MINUTE,
                  row -> new Count(row.getLong(1), row.getLong(2), row.getLong(3)),
                  from)) {
            long submitted =
                minutes.containsKey(c.minute()) ? minutes.get(c.minute()).submitted() : 0;
            minutes.put(
                c.minute(),
                new ActivityMinute(minuteStart(c.minute()), submitted, c.count(), c.failures()));
          }
          return null;
        });
    return List.copyOf(minutes.values());
  }

  private static Instant minuteStart(long minute) {
    return Instant.ofEpochSecond(minute * 60);
  }

  private static int positive(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    return limit;
  }

  /**
   * Whether writes run on the calling thread, on a connection of the data source: then a data
   * source that hands out the caller's transactional connection lets them join that transaction.
   * SQLite writes on a thread of its own, so its writes commit by themselves.
   */
  public boolean writesOnCallingThread() {
    return database.onCallingThread();
  }

  @Override
  public boolean fireAlert(AlertRow alert) {
    AlertRow.Delivery d = alert.delivery();
    return write(
        tx ->
            tx.update(
                    AlertSql.FIRE,
                    alert.id(),
                    alert.rule(),
                    alert.subject(),
                    alert.summary(),
                    AlertSql.invocationsText(alert.invocations()),
                    alert.firedAt(),
                    alert.firedBy(),
                    d.state(),
                    d.attempts(),
                    d.lastError(),
                    d.due())
                == 1);
  }

  @Override
  public boolean updateAlert(UUID id, String summary, List<UUID> invocations) {
    return write(
        tx -> tx.update(AlertSql.UPDATE, summary, AlertSql.invocationsText(invocations), id) == 1);
  }

  @Override
  public boolean resolveAlert(
      UUID id, Instant at, String node, AlertRow.Delivery delivery, int keep) {
    return write(
        tx -> {
          boolean resolved =
              tx.update(
                      AlertSql.RESOLVE,
                      at,
                      node,
                      delivery.state(),
                      delivery.attempts(),
                      delivery.lastError(),
                      delivery.due(),
                      id)
                  == 1;
          if (resolved) {
            tx.update(AlertSql.PRUNE, Math.max(1, keep));
          }
          return resolved;
        });
  }

  @Override
  public List<AlertRow> firingAlerts() {
    return read(tx -> tx.query(AlertSql.FIRING, AlertSql::alert));
  }

  @Override
  public List<AlertRow> resolvedAlerts(int limit) {
    return read(tx -> tx.query(AlertSql.RESOLVED, AlertSql::alert, positive(limit)));
  }

  @Override
  public List<AlertRow> claimAlertDeliveries(Instant now, Instant until, int limit) {
    return write(
        tx -> {
          var claimed = new ArrayList<AlertRow>();
          record Due(UUID id, long due) {}
          for (Due due :
              tx.query(
                  AlertSql.DUE,
                  row -> new Due(Rows.uuid(row, "id"), row.getLong("delivery_due")),
                  now,
                  positive(limit))) {
            if (tx.update(AlertSql.CLAIM, until, due.id(), due.due()) == 1) {
              tx.queryOne(AlertSql.ONE, AlertSql::alert, due.id()).ifPresent(claimed::add);
            }
          }
          return claimed;
        });
  }

  @Override
  public boolean recordAlertDelivery(UUID id, boolean firing, AlertRow.Delivery delivery) {
    return write(
        tx ->
            tx.update(
                    firing ? AlertSql.RECORD_FIRING : AlertSql.RECORD_RESOLVED,
                    delivery.state(),
                    delivery.attempts(),
                    delivery.lastError(),
                    delivery.due(),
                    id)
                == 1);
  }

  @Override
  public void registerNode(NodeRow node) {
    upkeep(
        tx ->
            tx.update(
                Sql.REGISTER_NODE,
                node.id(),
                node.host(),
                node.version(),
                node.startedAt(),
                node.heartbeatAt()));
  }

  @Override
  public boolean heartbeat(String nodeId, Instant at) {
    return upkeep(tx -> tx.update(Sql.HEARTBEAT, at, nodeId) == 1);
  }

  @Override
  public void removeNode(String nodeId) {
    upkeep(
        tx -> {
          tx.update(Sql.DELETE_NODE, nodeId);
          tx.update(Sql.RELEASE_NODE_LEASES, nodeId);
          return null;
        });
  }

  @Override
  public List<NodeRow> reapNodes(Instant heartbeatBefore, String self) {
    return upkeep(
        tx -> {
          var reaped = new ArrayList<NodeRow>();
          for (var node : tx.query(Sql.STALE_NODES, Rows::node, heartbeatBefore, self)) {
            if (tx.update(Sql.DELETE_STALE_NODE, node.id(), heartbeatBefore) == 1) {
              tx.update(Sql.RELEASE_NODE_LEASES, node.id());
              reaped.add(node);
            }
          }
          return reaped;
        });
  }

  @Override
  public List<NodeRow> nodes() {
    return read(tx -> tx.query(Sql.NODES, Rows::node));
  }

  @Override
  public List<NodeLease> leases(int limit) {
    return read(
        tx ->
            tx.query(
                Sql.LEASES,
                row ->
                    new NodeLease(
                        row.getString("claim_node"),
                        Rows.uuid(row, "id"),
                        Rows.uuid(row, "claim_id"),
                        Rows.instant(row.getLong("claim_until"))),
                positive(limit)));
  }

  /** On PostgreSQL: several nodes share the database, and its clock is theirs. */
  @Override
  public boolean sharedClock() {
    return dialect.sharedTime() != null;
  }

  @Override
  public Instant sharedTime() {
    var sql = dialect.sharedTime();
    if (sql == null) {
      throw new UnsupportedOperationException(
          dialect.displayName() + " is used by one process: its time is the process's own");
    }
    return upkeepRead(tx -> tx.queryOne(sql, row -> Rows.instant(row.getLong(1)))).orElseThrow();
  }

  @Override
  public boolean healthy() {
    return !closed.get() && database.ping(HEALTH_TIMEOUT);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      watches.forEach(Watch::close);
      if (indexer != null) {
        indexer.close();
      }
      try {
        database.close();
      } finally {
        if (control != database) {
          control.close();
        }
      }
    }
  }

  /**
   * A write of the node's upkeep, on its own pool (when the store has one): not queued behind the
   * requests' group writes, nor waiting for one of their connections.
   */
  private <T extends @Nullable Object> T upkeep(Database.Work<T> work) {
    ensureOpen();
    return control.write(work);
  }

  private <T extends @Nullable Object> T upkeepRead(Database.Work<T> work) {
    ensureOpen();
    return control.read(work);
  }

  /** The requests' data source, for tests that hold its connections. */
  @Nullable DataSource requestDataSource() {
    return database.dataSource();
  }

  private <T extends @Nullable Object> T write(Database.Work<T> work) {
    ensureOpen();
    return database.write(work);
  }

  private <T extends @Nullable Object> T read(Database.Work<T> work) {
    ensureOpen();
    return database.read(work);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("The store is closed");
    }
  }

  /**
   * The events in one statement: a multi-row {@code INSERT} (the driver's batch rewriting would
   * split three rows into two statements), in the order given, so their ids keep it.
   */
  private static void insertEvents(Tx tx, List<NewEvent> events) throws SQLException {
    // a sweep's many events go in chunks: PostgreSQL takes at most 32,767 parameters a statement
    for (int from = 0; from < events.size(); from += EVENTS_PER_STATEMENT) {
      insertEventRows(
          tx, events.subList(from, Math.min(events.size(), from + EVENTS_PER_STATEMENT)));
    }
  }

  private static void insertEventRows(Tx tx, List<NewEvent> events) throws SQLException {
    var params = new @Nullable Object[events.size() * 4];
    int i = 0;
    for (var event : events) {
      params[i++] = event.invocationId();
      params[i++] = event.at();
      params[i++] = event.kind().name();
      params[i++] = event.message();
    }
    tx.update(Sql.insertEvents(events.size()), params);
  }

  /**
   * An update of a row the caller just named that finds none is a caller bug, not a state to
   * ignore.
   */
  private static void requireOne(int updated, String what, UUID id) {
    if (updated != 1) {
      throw new IllegalStateException("No " + what + " " + id);
    }
  }
}
