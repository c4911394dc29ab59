package dev.extsvc.runtime.testing;

import dev.extsvc.runtime.store.ActivityMinute;
import dev.extsvc.runtime.store.AlertRow;
import dev.extsvc.runtime.store.CallbackInsert;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.CorrelationValue;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationCursor;
import dev.extsvc.runtime.store.InvocationPage;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationSort;
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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The whole {@link Store} SPI in memory, for tests: as faithful to the JDBC store as its contract
 * suite can tell (conditional finish, unique dedup keys, leases, durable retries, the console's
 * queries, fenced leases, nodes, microsecond instants), thread-safe (one lock; every method is one
 * atomic step, as a transaction is), and nothing on disk.
 *
 * <p>Two switches make it fail as a real store does: {@link #unavailable(boolean)} (every call
 * throws {@link StoreUnavailableException}, as when the database is down) and {@link
 * #readOnly(boolean)} (writes throw it, reads work, as on a full disk). {@link #reopen()} gives a
 * second store over the same data, as a restarted process would open the same database.
 */
public final class InMemoryStore implements Store {
  private static final String TIMEOUT_REASON = "Callback timeout reached";
  private static final Comparator<UUID> BY_TEXT = Comparator.comparing(UUID::toString);
  private static final Comparator<CallbackRow> OLDEST_FIRST =
      Comparator.comparing(CallbackRow::receivedAt).thenComparing(CallbackRow::id, BY_TEXT);

  /** What several stores opened on "the same database" share. */
  private static final class Data {
    final Map<String, ServiceRow> services = new TreeMap<>();
    final Map<UUID, Invocation> invocations = new HashMap<>();
    final Map<String, TokenRow> tokens = new HashMap<>();
    final Map<UUID, CallbackRow> callbacks = new LinkedHashMap<>();
    final List<EventRow> events = new ArrayList<>();
    final Map<String, NodeRow> nodes = new TreeMap<>();
    final List<Correlated> correlations = new ArrayList<>();
    final Map<UUID, EarlyCallbackRow> early = new LinkedHashMap<>();
    final Map<UUID, AlertRow> alerts = new LinkedHashMap<>();
    long nextEventId = 1;
    volatile boolean unavailable;
    volatile boolean readOnly;
  }

  /** One correlation value of an invocation. */
  private record Correlated(UUID invocationId, String service, CorrelationValue value) {}

  /** An invocation row and its lease, which the SPI keeps out of {@link InvocationRow}. */
  private static final class Invocation {
    InvocationRow row;
    @Nullable UUID claimId;
    @Nullable Instant claimUntil;
    @Nullable String claimNode;
    long claimFence;

    Invocation(InvocationRow row) {
      this.row = row;
    }
  }

  private final Data data;
  private final AtomicInteger calls = new AtomicInteger();
  private volatile boolean closed;

  /** An empty store. */
  public InMemoryStore() {
    this(new Data());
  }

  private InMemoryStore(Data data) {
    this.data = data;
  }

  /**
   * A second store over this one's data (whether or not this one is closed): what a restarted
   * process finds in the database the first one wrote.
   */
  public InMemoryStore reopen() {
    return new InMemoryStore(data);
  }

  /**
   * While true, every call (reads too) throws {@link StoreUnavailableException} and {@link
   * #healthy()} is false, as when the database cannot be reached. Shared with stores made by {@link
   * #reopen()}.
   */
  public InMemoryStore unavailable(boolean down) {
    data.unavailable = down;
    return this;
  }

  /**
   * While true, every write throws {@link StoreUnavailableException}; reads still work (a full
   * disk).
   */
  public InMemoryStore readOnly(boolean readOnly) {
    data.readOnly = readOnly;
    return this;
  }

  /**
   * How many calls this store has answered or refused: lets a test show that something never
   * reached it.
   */
  public int calls() {
    return calls.get();
  }

  // --- services ---

  @Override
  public void saveService(ServiceRow service) {
    write(
        () ->
            data.services.put(
                service.name(),
                new ServiceRow(
                    service.name(),
                    service.version(),
                    service.document(),
                    micros(service.registeredAt()))));
  }

  @Override
  public List<ServiceRow> services() {
    return read(() -> List.copyOf(data.services.values()));
  }

  @Override
  public boolean removeService(String name) {
    return write(() -> data.services.remove(name) != null);
  }

  // --- invocations ---

  @Override
  public void createInvocation(
      InvocationRow invocation, List<TokenRow> tokens, List<NewEvent> events) {
    write(
        () -> {
          if (data.invocations.containsKey(invocation.id())) {
            throw new IllegalStateException("Invocation " + invocation.id() + " exists already");
          }
          Map<String, TokenRow> fresh = new LinkedHashMap<>();
          for (TokenRow token : tokens) {
            String key = hex(token.tokenHash());
            if (data.tokens.containsKey(key) || fresh.put(key, token) != null) {
              throw new IllegalStateException(
                  "Token sha256:"
                      + key.substring(0, Math.min(8, key.length()))
                      + " exists already");
            }
            if (!token.invocationId().equals(invocation.id())) {
              throw new IllegalStateException(
                  "Token of invocation " + token.invocationId() + " given with " + invocation.id());
            }
          }
          checkEvents(events, invocation.id());
          data.invocations.put(invocation.id(), new Invocation(micros(invocation)));
          data.tokens.putAll(fresh);
          events.forEach(this::append);
          return null;
        });
  }

  @Override
  public void recordSyncAnswer(
      UUID invocationId, int status, String headersJson, @Nullable String body, NewEvent event) {
    write(
        () -> {
          Invocation inv = existing(invocationId);
          InvocationRow r = inv.row;
          inv.row =
              new InvocationRow(
                  r.id(),
                  r.service(),
                  r.operation(),
                  r.async(),
                  r.status(),
                  r.reason(),
                  r.handlerType(),
                  r.handlerState(),
                  r.request(),
                  status,
                  headersJson,
                  body,
                  r.submitTime(),
                  r.deadline(),
                  r.finishedAt(),
                  r.traceContext());
          append(event);
          return null;
        });
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
        () -> {
          boolean moved = move(invocationId, status, reason, at);
          if (moved) {
            append(event);
          }
          return moved;
        });
  }

  @Override
  public Optional<InvocationRow> invocation(UUID id) {
    return read(() -> Optional.ofNullable(data.invocations.get(id)).map(i -> i.row));
  }

  @Override
  public InvocationPage invocationPage(InvocationQuery query) {
    return read(
        () -> {
          Map<UUID, Instant> activity = new HashMap<>();
          for (EventRow e : data.events) {
            activity.merge(e.invocationId(), e.at(), (a, b) -> a.isAfter(b) ? a : b);
          }
          Function<InvocationRow, Instant> lastActivity =
              r -> {
                Instant newest = activity.get(r.id());
                return newest != null && newest.isAfter(r.submitTime()) ? newest : r.submitTime();
              };
          InvocationCursor at = query.page();
          boolean backward = at != null && at.before();
          InvocationSort.Column column = query.sort().column();
          Comparator<Place> walk =
              query.sort().descending() != backward ? PLACE_ORDER.reversed() : PLACE_ORDER;
          Place from = at == null ? null : place(at);
          List<InvocationRow> walked =
              data.invocations.values().stream()
                  .map(i -> i.row)
                  .filter(r -> query.status() == null || r.status() == query.status())
                  .filter(r -> query.service() == null || r.service().equals(query.service()))
                  .filter(r -> query.operation() == null || r.operation().equals(query.operation()))
                  .filter(
                      r ->
                          query.submittedFrom() == null
                              || !r.submitTime().isBefore(query.submittedFrom()))
                  .filter(
                      r ->
                          query.submittedTo() == null
                              || r.submitTime().isBefore(query.submittedTo()))
                  .filter(r -> query.text() == null || found(r, query.text()))
                  .filter(
                      r -> from == null || walk.compare(place(column, r, lastActivity), from) > 0)
                  .sorted(Comparator.comparing(r -> place(column, r, lastActivity), walk))
                  .limit(query.limit() + 1L)
                  .toList();
          return InvocationPage.of(query, walked, lastActivity);
        });
  }

  /** A row's place in a sort: its time or text key (the other one empty), then its id's text. */
  private record Place(Instant time, String text, String id) {}

  /**
   * Ascending by the key, then by the id's text, as both databases order UUIDs (not UUID.compareTo,
   * which is signed) and text (by code unit, as SQLite and PostgreSQL's "C" do).
   */
  private static final Comparator<Place> PLACE_ORDER =
      Comparator.comparing(Place::time).thenComparing(Place::text).thenComparing(Place::id);

  private static Place place(
      InvocationSort.Column column,
      InvocationRow r,
      Function<InvocationRow, Instant> lastActivity) {
    String id = r.id().toString();
    return switch (column) {
      case SUBMITTED -> new Place(Instant.EPOCH, "", id);
      case LAST_ACTIVITY -> new Place(lastActivity.apply(r), "", id);
      case SERVICE -> new Place(Instant.EPOCH, r.service(), id);
      case OPERATION -> new Place(Instant.EPOCH, r.operation(), id);
      case STATUS -> new Place(Instant.EPOCH, r.status().name(), id);
      case DEADLINE -> new Place(r.deadline(), "", id);
    };
  }

  private static Place place(InvocationCursor at) {
    String id = at.id().toString();
    String key = at.key();
    return switch (at.sort().column()) {
      case SUBMITTED -> new Place(Instant.EPOCH, "", id);
      case LAST_ACTIVITY, DEADLINE -> new Place(at.instantKey(), "", id);
      case SERVICE, OPERATION, STATUS -> new Place(Instant.EPOCH, key == null ? "" : key, id);
    };
  }

  /**
   * Whether the invocation's stored documents (request, answer, callbacks) hold the words between
   * them, as the JDBC stores' one search document per invocation does.
   */
  private boolean found(InvocationRow r, String search) {
    var indexed = new StringBuilder(SearchText.of(r.request())).append(SearchText.of(r.syncBody()));
    data.callbacks.values().stream()
        .filter(c -> c.invocationId().equals(r.id()))
        .forEach(c -> indexed.append(SearchText.of(c.body())));
    return SearchText.matches(indexed.toString(), search);
  }

  @Override
  public Map<InvocationStatus, Long> countByStatus() {
    return read(
        () -> {
          Map<InvocationStatus, Long> counts = new EnumMap<>(InvocationStatus.class);
          for (InvocationStatus s : InvocationStatus.values()) {
            counts.put(s, 0L);
          }
          data.invocations.values().forEach(i -> counts.merge(i.row.status(), 1L, Long::sum));
          return counts;
        });
  }

  // --- tokens ---

  @Override
  public Optional<TokenRow> token(byte[] tokenHash) {
    return read(() -> Optional.ofNullable(data.tokens.get(hex(tokenHash))));
  }

  @Override
  public Optional<TokenLookup> tokenWithInvocation(byte[] tokenHash) {
    return read(
        () -> {
          TokenRow token = data.tokens.get(hex(tokenHash));
          Invocation inv = token == null ? null : data.invocations.get(token.invocationId());
          return inv == null ? Optional.empty() : Optional.of(new TokenLookup(token, inv.row));
        });
  }

  // --- correlation ---

  @Override
  public void recordCorrelations(
      UUID invocationId, String service, List<CorrelationValue> values, List<NewEvent> events) {
    write(
        () -> {
          existing(invocationId);
          checkEvents(events, invocationId);
          for (CorrelationValue v : values) {
            boolean known =
                data.correlations.stream()
                    .anyMatch(
                        c ->
                            c.invocationId().equals(invocationId)
                                && c.value().key().equals(v.key()));
            if (!known) {
              data.correlations.add(new Correlated(invocationId, service, v));
            }
          }
          events.forEach(this::append);
          return null;
        });
  }

  @Override
  public List<InvocationRow> invocationsByCorrelation(
      String service, String operation, String key, String value, int limit) {
    return read(
        () -> {
          List<InvocationRow> found = new ArrayList<>();
          for (Correlated c : data.correlations) {
            if (c.service().equals(service)
                && c.value().equals(new CorrelationValue(operation, key, value))) {
              Invocation inv = data.invocations.get(c.invocationId());
              if (inv != null) {
                found.add(inv.row);
              }
            }
          }
          List<InvocationRow> pending =
              found.stream()
                  .filter(r -> r.status() == InvocationStatus.PENDING)
                  .sorted(java.util.Comparator.comparing(InvocationRow::id))
                  .toList();
          List<InvocationRow> others =
              found.stream()
                  .filter(r -> r.status() != InvocationStatus.PENDING)
                  .sorted(java.util.Comparator.comparing(InvocationRow::id).reversed())
                  .toList();
          List<InvocationRow> out = new ArrayList<>(pending);
          out.addAll(others);
          return List.copyOf(out.subList(0, Math.min(limit, out.size())));
        });
  }

  @Override
  public EarlyCallbackRow holdEarlyCallback(EarlyCallbackRow callback) {
    return write(
        () -> {
          for (EarlyCallbackRow other : data.early.values()) {
            if (other.service().equals(callback.service())
                && other.dedupKey().equals(callback.dedupKey())) {
              return other;
            }
          }
          EarlyCallbackRow stored =
              new EarlyCallbackRow(
                  callback.id(),
                  callback.service(),
                  callback.operation(),
                  callback.key(),
                  callback.value(),
                  micros(callback.receivedAt()),
                  callback.method(),
                  callback.headers(),
                  callback.body(),
                  callback.dedupKey(),
                  micros(callback.holdUntil()),
                  null,
                  null);
          data.early.put(stored.id(), stored);
          return stored;
        });
  }

  @Override
  public List<EarlyCallbackRow> heldEarlyCallbacks(
      String service, String operation, String key, String value) {
    return read(
        () ->
            data.early.values().stream()
                .filter(
                    e ->
                        e.held()
                            && e.service().equals(service)
                            && e.operation().equals(operation)
                            && e.key().equals(key)
                            && e.value().equals(value))
                .toList());
  }

  @Override
  public Optional<CallbackInsert> deliverEarlyCallback(
      UUID earlyId, CallbackRow callback, NewEvent event) {
    return write(
        () -> {
          EarlyCallbackRow e = data.early.get(earlyId);
          if (e == null || !e.held()) {
            return Optional.empty();
          }
          existing(callback.invocationId());
          data.early.put(earlyId, with(e, e.deadAt(), callback.invocationId(), e.holdUntil()));
          for (CallbackRow other : data.callbacks.values()) {
            if (other.invocationId().equals(callback.invocationId())
                && other.dedupKey().equals(callback.dedupKey())) {
              return Optional.of(new CallbackInsert(other, true));
            }
          }
          checkEvents(List.of(event), callback.invocationId());
          CallbackRow stored = micros(callback);
          data.callbacks.put(stored.id(), stored);
          append(event);
          return Optional.of(new CallbackInsert(stored, false));
        });
  }

  @Override
  public List<EarlyCallbackRow> expireEarlyCallbacks(Instant now, int limit) {
    return write(
        () -> {
          List<EarlyCallbackRow> dead = new ArrayList<>();
          for (EarlyCallbackRow e : List.copyOf(data.early.values())) {
            if (dead.size() < limit && e.held() && !e.holdUntil().isAfter(now)) {
              EarlyCallbackRow d = with(e, micros(now), null, e.holdUntil());
              data.early.put(e.id(), d);
              dead.add(d);
            }
          }
          return dead;
        });
  }

  @Override
  public Optional<EarlyCallbackRow> earlyCallback(UUID id) {
    return read(() -> Optional.ofNullable(data.early.get(id)));
  }

  @Override
  public List<EarlyCallbackRow> earlyCallbacks(int limit) {
    return read(
        () -> {
          List<EarlyCallbackRow> out =
              new ArrayList<>(
                  data.early.values().stream().filter(e -> e.deliveredTo() == null).toList());
          java.util.Collections.reverse(out);
          return List.copyOf(out.subList(0, Math.min(limit, out.size())));
        });
  }

  @Override
  public List<EarlyCallbackRow> earlyCallbacks(boolean dead, int limit) {
    return earlyCallbacks(Integer.MAX_VALUE).stream()
        .filter(e -> e.dead() == dead)
        .limit(limit)
        .toList();
  }

  @Override
  public boolean holdEarlyCallbackAgain(UUID id, Instant until) {
    return write(
        () -> {
          EarlyCallbackRow e = data.early.get(id);
          if (e == null || !e.dead()) {
            return false;
          }
          data.early.put(id, with(e, null, null, micros(until)));
          return true;
        });
  }

  private static EarlyCallbackRow with(
      EarlyCallbackRow e, @Nullable Instant deadAt, @Nullable UUID deliveredTo, Instant holdUntil) {
    return new EarlyCallbackRow(
        e.id(),
        e.service(),
        e.operation(),
        e.key(),
        e.value(),
        e.receivedAt(),
        e.method(),
        e.headers(),
        e.body(),
        e.dedupKey(),
        holdUntil,
        deadAt,
        deliveredTo);
  }

  // --- callbacks ---

  @Override
  public CallbackInsert insertCallback(CallbackRow callback, NewEvent event) {
    return write(
        () -> {
          existing(callback.invocationId());
          for (CallbackRow other : data.callbacks.values()) {
            if (other.invocationId().equals(callback.invocationId())
                && other.dedupKey().equals(callback.dedupKey())) {
              return new CallbackInsert(
                  other, true); // the unique (invocation, dedup key): nothing stored, no event
            }
          }
          if (data.callbacks.containsKey(callback.id())) {
            throw new IllegalStateException("Callback " + callback.id() + " exists already");
          }
          checkEvents(List.of(event), callback.invocationId());
          CallbackRow stored = micros(callback);
          data.callbacks.put(stored.id(), stored);
          append(event);
          return new CallbackInsert(stored, false);
        });
  }

  @Override
  public boolean updateCallback(
      UUID callbackId,
      CallbackOutcome outcome,
      @Nullable Integer answerCode,
      @Nullable String error,
      NewEvent event) {
    return write(
        () -> {
          CallbackRow c = existingCallback(callbackId);
          if (c.outcome() == CallbackOutcome.HANDLED) {
            return false; // as the JDBC store: a handled callback is never settled again
          }
          put(
              new CallbackRow(
                  c.id(),
                  c.invocationId(),
                  c.key(),
                  c.receivedAt(),
                  c.method(),
                  c.headers(),
                  c.body(),
                  c.dedupKey(),
                  outcome,
                  answerCode,
                  c.attempts() + 1,
                  error,
                  null,
                  c.deadAt()));
          append(event);
          return true;
        });
  }

  @Override
  public boolean completeWithCallback(Lease lease, Instant at, List<NewEvent> events) {
    return write(
        () -> {
          if (!holds(lease)) {
            return false;
          }
          if (anyHandled(lease)) {
            return false;
          }
          lease
              .callbackIds()
              .forEach(
                  id -> put(settled(existingCallback(id), CallbackOutcome.HANDLED, 200, null)));
          boolean moved = move(lease.invocationId(), InvocationStatus.COMPLETED, null, at);
          // As the JDBC store: the log of an invocation that was already final does not claim it
          // completed.
          events.stream()
              .filter(e -> moved || !String.valueOf(e.kind()).equals("COMPLETED"))
              .forEach(this::append);
          return true;
        });
  }

  @Override
  public boolean settleCallback(
      Lease lease, CallbackOutcome outcome, int answerCode, String error, NewEvent event) {
    return write(
        () -> {
          if (!holds(lease)) {
            return false;
          }
          if (anyHandled(lease)) {
            return false;
          }
          lease
              .callbackIds()
              .forEach(id -> put(settled(existingCallback(id), outcome, answerCode, error)));
          releaseLease(lease);
          append(event);
          return true;
        });
  }

  @Override
  public boolean recordProgress(Lease lease, Instant at, List<NewEvent> events) {
    return write(
        () -> {
          if (!holds(lease) || anyHandled(lease)) {
            return false;
          }
          lease
              .callbackIds()
              .forEach(
                  id -> put(settled(existingCallback(id), CallbackOutcome.HANDLED, 200, null)));
          releaseLease(lease);
          events.forEach(this::append);
          return true;
        });
  }

  @Override
  public boolean moveDeadline(UUID invocationId, Instant from, Instant to, NewEvent event) {
    return write(
        () -> {
          Invocation i = data.invocations.get(invocationId);
          if (i == null
              || i.row.status() != InvocationStatus.PENDING
              || !i.row.deadline().equals(micros(from))) {
            return false;
          }
          InvocationRow r = i.row;
          i.row =
              new InvocationRow(
                  r.id(),
                  r.service(),
                  r.operation(),
                  r.async(),
                  r.status(),
                  r.reason(),
                  r.handlerType(),
                  r.handlerState(),
                  r.request(),
                  r.syncStatus(),
                  r.syncHeaders(),
                  r.syncBody(),
                  r.submitTime(),
                  micros(to),
                  r.finishedAt());
          append(event);
          return true;
        });
  }

  private boolean anyHandled(Lease lease) {
    return lease.callbackIds().stream()
        .anyMatch(id -> existingCallback(id).outcome() == CallbackOutcome.HANDLED);
  }

  /** As the JDBC store's callback update: the outcome, attempts + 1, no retry pending. */
  private static CallbackRow settled(
      CallbackRow c,
      CallbackOutcome outcome,
      @Nullable Integer answerCode,
      @Nullable String error) {
    return new CallbackRow(
        c.id(),
        c.invocationId(),
        c.key(),
        c.receivedAt(),
        c.method(),
        c.headers(),
        c.body(),
        c.dedupKey(),
        outcome,
        answerCode,
        c.attempts() + 1,
        error,
        null,
        c.deadAt());
  }

  @Override
  public Optional<CallbackRow> callback(UUID callbackId) {
    return read(() -> Optional.ofNullable(data.callbacks.get(callbackId)));
  }

  @Override
  public List<CallbackRow> callbacks(UUID invocationId) {
    return read(
        () ->
            data.callbacks.values().stream()
                .filter(c -> c.invocationId().equals(invocationId))
                .sorted(OLDEST_FIRST)
                .toList());
  }

  @Override
  public long callbackBytes() {
    return read(
        () ->
            data.callbacks.values().stream()
                .mapToLong(c -> c.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .sum());
  }

  // --- events ---

  @Override
  public void appendEvent(NewEvent event) {
    write(
        () -> {
          checkEvents(List.of(event), event.invocationId());
          append(event);
          return null;
        });
  }

  @Override
  public List<EventRow> events(UUID invocationId) {
    return read(
        () -> data.events.stream().filter(e -> e.invocationId().equals(invocationId)).toList());
  }

  @Override
  public Map<UUID, EventRow> lastEvents(Collection<UUID> invocationIds) {
    return read(
        () -> {
          Map<UUID, EventRow> last = new HashMap<>();
          for (EventRow e : data.events) {
            if (invocationIds.contains(e.invocationId())) {
              last.put(e.invocationId(), e); // events are in id order: the last one wins
            }
          }
          return last;
        });
  }

  // --- timeouts, leases, retries ---

  @Override
  public List<UUID> dueInvocations(Instant now, int limit) {
    positive(limit);
    Instant at = micros(now);
    return read(
        () ->
            data.invocations.values().stream()
                .filter(
                    i ->
                        i.row.status() == InvocationStatus.PENDING && !i.row.deadline().isAfter(at))
                .sorted(
                    Comparator.comparing((Invocation i) -> i.row.deadline())
                        .thenComparing(i -> i.row.id(), BY_TEXT))
                .limit(limit)
                .map(i -> i.row.id())
                .sorted(BY_TEXT)
                .toList());
  }

  @Override
  public List<InvocationRow> timeOut(List<UUID> ids, Instant now) {
    Instant at = micros(now);
    return write(
        () -> {
          List<Invocation> due =
              ids.stream()
                  .map(data.invocations::get)
                  .filter(java.util.Objects::nonNull)
                  .distinct()
                  .filter(
                      i ->
                          i.row.status() == InvocationStatus.PENDING
                              && !i.row.deadline().isAfter(at))
                  .filter(i -> i.claimUntil == null || !i.claimUntil.isAfter(at))
                  .filter(i -> !retryScheduled(i.row.id()))
                  .sorted(
                      Comparator.comparing((Invocation i) -> i.row.deadline())
                          .thenComparing(i -> i.row.id(), BY_TEXT))
                  .toList();
          List<InvocationRow> timedOut = new ArrayList<>();
          for (Invocation i : due) {
            InvocationRow r = i.row;
            i.row = withFinal(r, InvocationStatus.TIMED_OUT, TIMEOUT_REASON, at);
            append(
                new NewEvent(
                    r.id(), at, EventKind.TIMED_OUT, TIMEOUT_REASON + " at " + r.deadline()));
            timedOut.add(i.row);
          }
          return List.copyOf(timedOut);
        });
  }

  @Override
  public Optional<Lease> claim(
      UUID invocationId, UUID callbackId, String nodeId, Instant now, Instant until) {
    Instant at = micros(now);
    return write(
        () -> {
          Invocation i = data.invocations.get(invocationId);
          if (i == null
              || i.row.status() != InvocationStatus.PENDING
              || (i.claimId != null && i.claimUntil != null && i.claimUntil.isAfter(at))) {
            return Optional.empty();
          }
          i.claimId = callbackId;
          i.claimUntil = micros(until);
          i.claimNode = nodeId;
          i.claimFence++;
          return Optional.of(new Lease(invocationId, callbackId, i.claimFence));
        });
  }

  @Override
  public boolean renew(Lease lease, Instant until) {
    return write(
        () -> {
          if (!holds(lease)) {
            return false;
          }
          Invocation i = existing(lease.invocationId());
          if (i.row.status() == InvocationStatus.PENDING) {
            i.claimUntil = micros(until);
          }
          return true;
        });
  }

  @Override
  public void release(Lease lease) {
    write(
        () -> {
          releaseLease(lease);
          return null;
        });
  }

  @Override
  public boolean scheduleRetry(
      Lease lease, @Nullable Instant nextAttemptAt, Instant now, String error, NewEvent event) {
    return write(
        () -> {
          if (!holds(lease)) {
            return false;
          }
          if (anyHandled(lease)) {
            return false;
          }
          for (UUID id : lease.callbackIds()) {
            CallbackRow c = existingCallback(id);
            put(
                new CallbackRow(
                    c.id(),
                    c.invocationId(),
                    c.key(),
                    c.receivedAt(),
                    c.method(),
                    c.headers(),
                    c.body(),
                    c.dedupKey(),
                    CallbackOutcome.FAILED,
                    500,
                    c.attempts() + 1,
                    error,
                    nextAttemptAt == null ? null : micros(nextAttemptAt),
                    nextAttemptAt == null ? micros(now) : null));
          }
          releaseLease(lease);
          append(event);
          return true;
        });
  }

  @Override
  public List<CallbackRow> dueCallbacks(Instant now, Instant receivedBefore, int limit) {
    return read(
        () ->
            data.callbacks.values().stream()
                .filter(
                    c ->
                        (c.outcome() == CallbackOutcome.RECEIVED
                                && c.receivedAt().isBefore(receivedBefore)
                                && !leasedAt(c.invocationId(), now))
                            || (c.nextAttemptAt() != null && !c.nextAttemptAt().isAfter(now)))
                .sorted(OLDEST_FIRST)
                .limit(limit)
                .toList());
  }

  @Override
  public boolean replayCallback(UUID callbackId, Instant now, NewEvent event) {
    return write(
        () -> {
          CallbackRow c = data.callbacks.get(callbackId);
          if (c == null || c.outcome() == CallbackOutcome.HANDLED) {
            return false;
          }
          put(
              new CallbackRow(
                  c.id(),
                  c.invocationId(),
                  c.key(),
                  c.receivedAt(),
                  c.method(),
                  c.headers(),
                  c.body(),
                  c.dedupKey(),
                  c.outcome(),
                  c.answerCode(),
                  c.attempts(),
                  c.error(),
                  micros(now),
                  null));
          append(event);
          return true;
        });
  }

  // --- the console's queries ---

  @Override
  public List<InvocationRow> pendingDueBefore(Instant until, int limit) {
    positive(limit);
    return read(
        () ->
            data.invocations.values().stream()
                .map(i -> i.row)
                .filter(r -> r.status() == InvocationStatus.PENDING && r.deadline().isBefore(until))
                .sorted(Comparator.comparing(InvocationRow::deadline))
                .limit(limit)
                .toList());
  }

  @Override
  public List<CallbackRow> failedCallbacks(int limit) {
    positive(limit);
    return read(
        () ->
            data.callbacks.values().stream()
                .filter(c -> c.outcome() == CallbackOutcome.FAILED)
                .sorted(OLDEST_FIRST.reversed())
                .limit(limit)
                .toList());
  }

  @Override
  public List<ActivityMinute> activity(Instant from) {
    return read(
        () -> {
          TreeMap<Long, Counts> minutes = new TreeMap<>();
          for (Invocation i : data.invocations.values()) {
            if (!i.row.submitTime().isBefore(from)) {
              minutes.merge(minute(i.row.submitTime()), new Counts(1, 0, 0), Counts::plus);
            }
          }
          for (CallbackRow c : data.callbacks.values()) {
            if (!c.receivedAt().isBefore(from)) {
              minutes.merge(
                  minute(c.receivedAt()),
                  new Counts(0, 1, c.outcome() == CallbackOutcome.FAILED ? 1 : 0),
                  Counts::plus);
            }
          }
          List<ActivityMinute> out = new ArrayList<>();
          minutes.forEach(
              (m, c) ->
                  out.add(
                      new ActivityMinute(
                          Instant.ofEpochSecond(m * 60),
                          c.submitted(),
                          c.callbacks(),
                          c.failures())));
          return out;
        });
  }

  /** One minute's counts while {@link #activity} adds them up. */
  private record Counts(long submitted, long callbacks, long failures) {
    Counts plus(Counts other) {
      return new Counts(
          submitted + other.submitted, callbacks + other.callbacks, failures + other.failures);
    }
  }

  // --- nodes ---

  @Override
  public boolean fireAlert(AlertRow alert) {
    return write(
        () -> {
          boolean firing =
              data.alerts.values().stream()
                  .anyMatch(
                      a ->
                          a.firing()
                              && a.rule().equals(alert.rule())
                              && a.subject().equals(alert.subject()));
          if (firing || data.alerts.containsKey(alert.id())) {
            return false;
          }
          data.alerts.put(
              alert.id(),
              new AlertRow(
                  alert.id(),
                  alert.rule(),
                  alert.subject(),
                  alert.summary(),
                  alert.invocations(),
                  micros(alert.firedAt()),
                  alert.firedBy(),
                  null,
                  null,
                  micros(alert.delivery())));
          return true;
        });
  }

  @Override
  public boolean updateAlert(UUID id, String summary, List<UUID> invocations) {
    return write(
        () -> {
          AlertRow a = data.alerts.get(id);
          if (a == null || !a.firing()) {
            return false;
          }
          data.alerts.put(
              id,
              new AlertRow(
                  id,
                  a.rule(),
                  a.subject(),
                  summary,
                  invocations,
                  a.firedAt(),
                  a.firedBy(),
                  null,
                  null,
                  a.delivery()));
          return true;
        });
  }

  @Override
  public boolean resolveAlert(
      UUID id, Instant at, String node, AlertRow.Delivery delivery, int keep) {
    return write(
        () -> {
          AlertRow a = data.alerts.get(id);
          if (a == null || !a.firing()) {
            return false;
          }
          data.alerts.put(
              id,
              new AlertRow(
                  id,
                  a.rule(),
                  a.subject(),
                  a.summary(),
                  a.invocations(),
                  a.firedAt(),
                  a.firedBy(),
                  micros(at),
                  node,
                  micros(delivery)));
          resolvedNewestFirst().stream()
              .skip(Math.max(1, keep))
              .forEach(old -> data.alerts.remove(old.id()));
          return true;
        });
  }

  @Override
  public List<AlertRow> firingAlerts() {
    return read(
        () ->
            data.alerts.values().stream()
                .filter(AlertRow::firing)
                .sorted(
                    Comparator.comparing(AlertRow::firedAt).thenComparing(AlertRow::id, BY_TEXT))
                .toList());
  }

  @Override
  public List<AlertRow> resolvedAlerts(int limit) {
    return read(() -> resolvedNewestFirst().stream().limit(limit).toList());
  }

  private List<AlertRow> resolvedNewestFirst() {
    return data.alerts.values().stream()
        .filter(a -> !a.firing())
        .sorted(
            Comparator.comparing((AlertRow a) -> java.util.Objects.requireNonNull(a.resolvedAt()))
                .thenComparing(AlertRow::id, BY_TEXT)
                .reversed())
        .toList();
  }

  @Override
  public List<AlertRow> claimAlertDeliveries(Instant now, Instant until, int limit) {
    return write(
        () -> {
          List<AlertRow> due =
              data.alerts.values().stream()
                  .filter(a -> a.delivery().due() != null && !a.delivery().due().isAfter(now))
                  .sorted(
                      Comparator.comparing((AlertRow a) -> a.delivery().due())
                          .thenComparing(AlertRow::id, BY_TEXT))
                  .limit(limit)
                  .toList();
          List<AlertRow> claimed = new ArrayList<>();
          for (AlertRow a : due) {
            AlertRow.Delivery d = a.delivery();
            AlertRow taken =
                withDelivery(
                    a, new AlertRow.Delivery(d.state(), d.attempts(), d.lastError(), until));
            data.alerts.put(a.id(), taken);
            claimed.add(taken);
          }
          return claimed;
        });
  }

  @Override
  public boolean recordAlertDelivery(UUID id, boolean firing, AlertRow.Delivery delivery) {
    return write(
        () -> {
          AlertRow a = data.alerts.get(id);
          if (a == null || a.firing() != firing) {
            return false;
          }
          data.alerts.put(id, withDelivery(a, delivery));
          return true;
        });
  }

  private static AlertRow withDelivery(AlertRow a, AlertRow.Delivery delivery) {
    return new AlertRow(
        a.id(),
        a.rule(),
        a.subject(),
        a.summary(),
        a.invocations(),
        a.firedAt(),
        a.firedBy(),
        a.resolvedAt(),
        a.resolvedBy(),
        micros(delivery));
  }

  private static AlertRow.Delivery micros(AlertRow.Delivery d) {
    Instant due = d.due();
    return new AlertRow.Delivery(
        d.state(), d.attempts(), d.lastError(), due == null ? null : micros(due));
  }

  @Override
  public void registerNode(NodeRow node) {
    write(
        () ->
            data.nodes.put(
                node.id(),
                new NodeRow(
                    node.id(),
                    node.host(),
                    node.version(),
                    micros(node.startedAt()),
                    micros(node.heartbeatAt()))));
  }

  @Override
  public boolean heartbeat(String nodeId, Instant at) {
    return write(
        () -> {
          NodeRow n = data.nodes.get(nodeId);
          if (n == null) {
            return false;
          }
          data.nodes.put(
              nodeId, new NodeRow(n.id(), n.host(), n.version(), n.startedAt(), micros(at)));
          return true;
        });
  }

  @Override
  public void removeNode(String nodeId) {
    write(
        () -> {
          data.nodes.remove(nodeId);
          releaseLeasesOf(nodeId);
          return null;
        });
  }

  @Override
  public List<NodeRow> reapNodes(Instant heartbeatBefore, String self) {
    return write(
        () -> {
          List<NodeRow> dead =
              data.nodes.values().stream()
                  .filter(n -> !n.id().equals(self) && n.heartbeatAt().isBefore(heartbeatBefore))
                  .toList();
          for (NodeRow n : dead) {
            data.nodes.remove(n.id());
            releaseLeasesOf(n.id());
          }
          return dead;
        });
  }

  @Override
  public List<NodeRow> nodes() {
    return read(() -> List.copyOf(data.nodes.values()));
  }

  @Override
  public List<NodeLease> leases(int limit) {
    return read(
        () ->
            data.invocations.values().stream()
                .filter(i -> i.claimNode != null && i.claimId != null && i.claimUntil != null)
                .map(i -> new NodeLease(i.claimNode, i.row.id(), i.claimId, i.claimUntil))
                .sorted(
                    Comparator.comparing(NodeLease::nodeId)
                        .thenComparing(NodeLease::until)
                        .thenComparing(l -> l.invocationId().toString()))
                .limit(limit)
                .toList());
  }

  @Override
  public boolean healthy() {
    return !closed && !data.unavailable;
  }

  /** Closes this store; its data stays for {@link #reopen()}. */
  @Override
  public void close() {
    closed = true;
  }

  // --- inside ---

  private <T> T read(Supplier<T> work) {
    enter();
    synchronized (data) {
      return work.get();
    }
  }

  private <T> T write(Supplier<T> work) {
    enter();
    if (data.readOnly) {
      throw new StoreUnavailableException(
          "The store is read-only (InMemoryStore.readOnly)", new java.io.IOException("read-only"));
    }
    synchronized (data) {
      return work.get();
    }
  }

  private void enter() {
    calls.incrementAndGet();
    if (closed) {
      throw new IllegalStateException("The store is closed");
    }
    if (data.unavailable) {
      throw new StoreUnavailableException(
          "The store is unavailable (InMemoryStore.unavailable)",
          new java.io.IOException("unavailable"));
    }
  }

  private boolean move(
      UUID invocationId, InvocationStatus status, @Nullable String reason, Instant at) {
    Invocation i = data.invocations.get(invocationId);
    if (i == null || i.row.status() != InvocationStatus.PENDING) {
      return false;
    }
    i.row = withFinal(i.row, status, reason, micros(at));
    clearLease(i);
    return true;
  }

  private boolean holds(Lease lease) {
    Invocation i = data.invocations.get(lease.invocationId());
    return i != null && i.claimFence == lease.fence();
  }

  private void releaseLease(Lease lease) {
    Invocation i = data.invocations.get(lease.invocationId());
    if (i != null && lease.callbackId().equals(i.claimId) && i.claimFence == lease.fence()) {
      clearLease(i);
    }
  }

  private void releaseLeasesOf(String nodeId) {
    for (Invocation i : data.invocations.values()) {
      if (nodeId.equals(i.claimNode)) {
        clearLease(i);
        i.claimFence++; // its runs, should the node come back, are superseded
      }
    }
  }

  private static void clearLease(Invocation i) {
    i.claimId = null;
    i.claimUntil = null;
    i.claimNode = null;
  }

  private boolean leasedAt(UUID invocationId, Instant now) {
    Invocation i = data.invocations.get(invocationId);
    return i != null && i.claimId != null && i.claimUntil != null && i.claimUntil.isAfter(now);
  }

  private boolean retryScheduled(UUID invocationId) {
    return data.callbacks.values().stream()
        .anyMatch(c -> c.invocationId().equals(invocationId) && c.nextAttemptAt() != null);
  }

  private Invocation existing(UUID invocationId) {
    Invocation i = data.invocations.get(invocationId);
    if (i == null) {
      throw new IllegalStateException("No invocation " + invocationId);
    }
    return i;
  }

  private CallbackRow existingCallback(UUID callbackId) {
    CallbackRow c = data.callbacks.get(callbackId);
    if (c == null) {
      throw new IllegalStateException("No callback " + callbackId);
    }
    return c;
  }

  /** Events belong to an invocation that exists (the databases' foreign key). */
  private void checkEvents(List<NewEvent> events, UUID creating) {
    for (NewEvent e : events) {
      if (!e.invocationId().equals(creating) && !data.invocations.containsKey(e.invocationId())) {
        throw new IllegalStateException(
            "No invocation " + e.invocationId() + " for event " + e.kind());
      }
    }
  }

  private void put(CallbackRow row) {
    data.callbacks.put(row.id(), row);
  }

  private void append(NewEvent e) {
    data.events.add(
        new EventRow(data.nextEventId++, e.invocationId(), micros(e.at()), e.kind(), e.message()));
  }

  private static InvocationRow withFinal(
      InvocationRow r, InvocationStatus status, @Nullable String reason, Instant at) {
    return new InvocationRow(
        r.id(),
        r.service(),
        r.operation(),
        r.async(),
        status,
        reason,
        r.handlerType(),
        r.handlerState(),
        r.request(),
        r.syncStatus(),
        r.syncHeaders(),
        r.syncBody(),
        r.submitTime(),
        r.deadline(),
        at,
        r.traceContext());
  }

  private static InvocationRow micros(InvocationRow r) {
    return new InvocationRow(
        r.id(),
        r.service(),
        r.operation(),
        r.async(),
        r.status(),
        r.reason(),
        r.handlerType(),
        r.handlerState(),
        r.request(),
        r.syncStatus(),
        r.syncHeaders(),
        r.syncBody(),
        micros(r.submitTime()),
        micros(r.deadline()),
        r.finishedAt() == null ? null : micros(r.finishedAt()),
        r.traceContext());
  }

  private static CallbackRow micros(CallbackRow c) {
    return new CallbackRow(
        c.id(),
        c.invocationId(),
        c.key(),
        micros(c.receivedAt()),
        c.method(),
        c.headers(),
        c.body(),
        c.dedupKey(),
        c.outcome(),
        c.answerCode(),
        c.attempts(),
        c.error(),
        c.nextAttemptAt() == null ? null : micros(c.nextAttemptAt()),
        c.deadAt() == null ? null : micros(c.deadAt()));
  }

  /** The stores keep epoch microseconds: what they give back has no nanoseconds. */
  private static Instant micros(Instant at) {
    return at.truncatedTo(ChronoUnit.MICROS);
  }

  private static long minute(Instant at) {
    return Math.floorDiv(at.getEpochSecond(), 60);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static void positive(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
  }
}
