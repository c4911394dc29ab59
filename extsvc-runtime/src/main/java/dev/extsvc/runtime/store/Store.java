package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Where the runtime keeps services, invocations, callback tokens, callbacks and events. Every
 * method is one transaction: when it returns, what it wrote is committed (durable); when it throws
 * {@link StoreUnavailableException}, nothing of it was written. Implementations are thread-safe.
 */
public interface Store extends AutoCloseable {

  /** Inserts or replaces the service of that name. */
  void saveService(ServiceRow service);

  List<ServiceRow> services();

  /** The service of that name, if one is registered (a node loads one it has not seen). */
  default Optional<ServiceRow> service(String name) {
    return services().stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * Removes the service of that name; false when there was none. Its invocations stay; their
   * callbacks are answered 404 from then on.
   */
  default boolean removeService(String name) {
    throw new UnsupportedOperationException("this store cannot remove services");
  }

  /**
   * A value that changes whenever a service is saved or removed, by any node: a node compares it
   * with the one it last loaded to tell, in one cheap read, whether its services are stale. The
   * default hashes every stored service; a store with a change counter returns that.
   */
  default long servicesVersion() {
    long hash = 17;
    for (ServiceRow s : services()) {
      hash = 31 * hash + s.name().hashCode();
      hash = 31 * hash + s.document().hashCode();
      hash = 31 * hash + s.registeredAt().hashCode();
    }
    return hash;
  }

  /**
   * Calls {@code changed} soon after any node saves or removes a service, when the store can be
   * told (PostgreSQL: {@code LISTEN/NOTIFY}), and once when it starts listening; the returned
   * handle stops it. The default never calls: nodes then rely on polling {@link
   * #servicesVersion()}.
   */
  default Watch watchServices(Runnable changed) {
    return () -> {};
  }

  /** Stops what {@link #watchServices} started. */
  @FunctionalInterface
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  /** Inserts the invocation, its tokens and its first events in one transaction. */
  void createInvocation(InvocationRow invocation, List<TokenRow> tokens, List<NewEvent> events);

  /**
   * Records the synchronous answer of the callout, whatever the invocation's status now is (a
   * callback may already have completed it).
   */
  void recordSyncAnswer(
      UUID invocationId, int status, String headersJson, @Nullable String body, NewEvent event);

  /**
   * Moves a PENDING invocation to {@code status} (COMPLETED, TIMED_OUT or CANCELLED) with the
   * reason, and appends the event; does nothing and returns false when it is not PENDING. This
   * conditional move is what makes the final state unique.
   */
  boolean finish(
      UUID invocationId,
      InvocationStatus status,
      @Nullable String reason,
      Instant at,
      NewEvent event);

  Optional<InvocationRow> invocation(UUID id);

  /** The rows of one page of the query, in its order. */
  default List<InvocationRow> invocations(InvocationQuery query) {
    return invocationPage(query).rows();
  }

  /**
   * One page of invocations in the query's order (its column, then the id the same way), with the
   * places of the pages before and after it.
   */
  InvocationPage invocationPage(InvocationQuery query);

  /** Counts invocations by status (all statuses present, zero when none). */
  Map<InvocationStatus, Long> countByStatus();

  /** The token with that SHA-256, if any. */
  Optional<TokenRow> token(byte[] tokenHash);

  /** The token's row and its invocation in one read; empty when either is missing. */
  default Optional<TokenLookup> tokenWithInvocation(byte[] tokenHash) {
    return token(tokenHash)
        .flatMap(t -> invocation(t.invocationId()).map(inv -> new TokenLookup(t, inv)));
  }

  /**
   * Stores a new callback with its event, unless one with the same (invocation, dedup key) exists:
   * then stores nothing and returns that one with {@code duplicate = true}. Unique enforcement is
   * the store's (a constraint), so concurrent duplicates are caught too.
   */
  CallbackInsert insertCallback(CallbackRow callback, NewEvent event);

  /**
   * As {@link #insertCallback}, and when the callback is new, also leases its invocation to its
   * handler run as {@link #claim} does ({@code now} the callback's {@code receivedAt}), in the same
   * transaction: a first delivery costs one write before its handler runs. The lease is in the
   * result, null when the invocation was not free (another callback's run holds it); nothing is
   * claimed for a duplicate. The default takes two transactions.
   */
  default CallbackInsert insertCallbackAndClaim(
      CallbackRow callback, NewEvent event, String nodeId, Instant until) {
    CallbackInsert insert = insertCallback(callback, event);
    if (insert.duplicate()) {
      return insert;
    }
    return new CallbackInsert(
        insert.row(),
        false,
        claim(callback.invocationId(), callback.id(), nodeId, callback.receivedAt(), until)
            .orElse(null));
  }

  /**
   * For an invocation without a handler (the callback is only recorded for the caller): as {@link
   * #insertCallbackAndClaim}, and when the lease is taken, the callback recorded as HANDLED (answer
   * 200) and the invocation completed as {@link #completeWithCallback} does with {@code
   * completion}, all in one transaction; the result's row is then HANDLED and holds no lease. When
   * the invocation is not free or no longer PENDING, only the insert (and its event) is written and
   * the row is RECEIVED, to be processed as usual. The default takes up to three transactions.
   */
  default CallbackInsert insertCallbackAndComplete(
      CallbackRow callback,
      NewEvent event,
      String nodeId,
      Instant until,
      List<NewEvent> completion) {
    CallbackInsert insert = insertCallbackAndClaim(callback, event, nodeId, until);
    Lease lease = insert.lease();
    if (lease == null) {
      return insert;
    }
    boolean completed;
    try {
      completed = completeWithCallback(lease, callback.receivedAt(), completion);
    } catch (RuntimeException e) {
      try {
        release(lease); // else the lease would keep the sender's retry out until it runs out
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    if (!completed) {
      return new CallbackInsert(insert.row(), false, null);
    }
    return new CallbackInsert(callback(callback.id()).orElse(insert.row()), false, null);
  }

  /** The stored callback of an invocation with this dedup key, if there is one. */
  default Optional<CallbackRow> callbackByDedupKey(UUID invocationId, String dedupKey) {
    return callbacks(invocationId).stream().filter(c -> c.dedupKey().equals(dedupKey)).findFirst();
  }

  /**
   * How many callbacks of an invocation are stored that were received after {@code after} ({@link
   * Instant#EPOCH} for all); what the per-invocation quotas count.
   */
  default long callbackCount(UUID invocationId, Instant after) {
    return callbacks(invocationId).stream().filter(c -> c.receivedAt().isAfter(after)).count();
  }

  /**
   * The size in bytes (UTF-8) of every stored callback body, all invocations together; what the
   * global storage quota counts. A store that cannot tell answers 0 (the quota is then not
   * enforced).
   */
  default long callbackBytes() {
    return 0;
  }

  /**
   * Records an outcome for a stored callback without a lease (its invocation was already final) and
   * increments its attempts, unless the callback is HANDLED: a run elsewhere in the cluster may
   * have handled it between our read and this write, and a handled callback is never settled again.
   * Then writes nothing (no event either) and returns false. Throws when there is no such callback.
   */
  boolean updateCallback(
      UUID callbackId,
      CallbackOutcome outcome,
      @Nullable Integer answerCode,
      @Nullable String error,
      NewEvent event);

  /**
   * Records a handled callback and completes its invocation in one transaction, if the lease is
   * still held (its fence unchanged): the callback becomes HANDLED with answer 200 (every callback
   * of the lease, when it covers a batch), and the invocation moves PENDING → COMPLETED (no change
   * when already final, as when it was cancelled meanwhile). Returns false, writing nothing, when
   * another claim (or a dead node's release) has raised the fence since: the run was superseded
   * (or, which a held lease rules out, the callback is HANDLED already).
   */
  boolean completeWithCallback(Lease lease, Instant at, List<NewEvent> events);

  /**
   * Records a handled batch of progress callbacks and gives the lease back, in one transaction and
   * only while the lease is held: every callback of the lease becomes HANDLED with answer 200, the
   * invocation stays PENDING. Returns false, writing nothing, when superseded (or when a callback
   * of the lease is HANDLED already).
   */
  default boolean recordProgress(Lease lease, Instant at, List<NewEvent> events) {
    throw new UnsupportedOperationException("this store cannot record progress callbacks");
  }

  /**
   * Moves a PENDING invocation's deadline from {@code from} to {@code to} and appends the event, in
   * one transaction; false, writing nothing, when the invocation is not PENDING or its deadline is
   * no longer {@code from} (another extension or a heartbeat moved it first: read it again).
   */
  default boolean moveDeadline(UUID invocationId, Instant from, Instant to, NewEvent event) {
    throw new UnsupportedOperationException("this store cannot move deadlines");
  }

  /**
   * Records the outcome of a leased handler run (declined or failed) for every callback of the
   * lease and gives the lease back, in one transaction and only while the lease is held; false,
   * writing nothing, when superseded or when the callback is HANDLED already (a handled callback is
   * never settled again).
   */
  boolean settleCallback(
      Lease lease, CallbackOutcome outcome, int answerCode, String error, NewEvent event);

  Optional<CallbackRow> callback(UUID callbackId);

  /** The invocation's callbacks, oldest first. */
  List<CallbackRow> callbacks(UUID invocationId);

  void appendEvent(NewEvent event);

  /** The invocation's debug log, oldest first. */
  List<EventRow> events(UUID invocationId);

  /**
   * The ids of the {@code limit} PENDING invocations with the earliest deadlines at or before
   * {@code now}, in the store's order of their rows (for a database, its order of the ids), leased
   * ones and those holding a durable retry included: read without locks and without touching the
   * rows. The sweeper times them out in that order ({@link #timeOut}), so that each batch of a
   * large backlog writes neighbouring rows and index entries instead of a page each.
   */
  List<UUID> dueInvocations(Instant now, int limit);

  /**
   * Moves those of {@code ids} that are PENDING with a deadline at or before {@code now}, not
   * leased by a running handler and holding no durable retry, to TIMED_OUT, each with a TIMED_OUT
   * event at {@code now} saying "Callback timeout reached at" its deadline (which a store may keep
   * in the invocation's state rather than in a row of its own, as long as {@link #events} and
   * {@link #lastEvents} show it and it moves the invocation's last activity), in one transaction,
   * and returns them as they are now, earliest deadline first (the sweeper tells their handlers
   * without reading them again). A store may leave out the large texts the sweeper does not read:
   * the request (empty) and the synchronous answer's headers and body (null). Safe to call from
   * several nodes at once: each invocation times out once, and rows another node is timing out are
   * skipped, not waited for.
   */
  List<InvocationRow> timeOut(List<UUID> ids, Instant now);

  /**
   * Times out what {@link #timeOut} takes of the {@code limit} earliest-due invocations ({@link
   * #dueInvocations}); fewer when some of those are leased or taken by another node meanwhile.
   */
  default List<InvocationRow> timeOutDue(Instant now, int limit) {
    return timeOut(dueInvocations(now, limit), now);
  }

  /**
   * How many {@link #timeOut} calls of one sweep may run at once to its benefit: 1 (the default)
   * when nothing of one could overlap another; more for a database server whose claims skip each
   * other's rows and run on cores of their own, or for a single writer that updates one lane's
   * batch while another lane reads its rows and runs its hooks.
   */
  default int sweepLanes() {
    return 1;
  }

  /**
   * Leases a PENDING invocation to one callback's handler run on a node, until {@code until}: the
   * lease with its new fence when taken (it was free or had expired; not re-entrant), else empty.
   * Each claim raises the invocation's fence. While leased, {@link #timeOutDue} skips the
   * invocation, so a callback being handled can never end in TIMED_OUT; of two racing callbacks one
   * waits.
   */
  Optional<Lease> claim(
      UUID invocationId, UUID callbackId, String nodeId, Instant now, Instant until);

  /**
   * Extends a held lease to {@code until}; false when it was lost (its fence raised by another
   * claim or a dead node's release). A lease on an invocation that became final meanwhile (it was
   * cancelled) is still held: nobody else can claim it.
   */
  boolean renew(Lease lease, Instant until);

  /** Gives back a lease while it is held (its fence unchanged); else no change. */
  void release(Lease lease);

  /**
   * Records a failed handler run of a durable callback (of every callback of the lease): FAILED,
   * answer 500, attempts + 1, the error, and when to try again; {@code nextAttemptAt} null means
   * retries are given up (the callback is dead). Releases the lease. Only while the lease is held:
   * false, writing nothing, when superseded (or when the callback is HANDLED already).
   */
  boolean scheduleRetry(
      Lease lease, @Nullable Instant nextAttemptAt, Instant now, String error, NewEvent event);

  /**
   * Callbacks to process in the background, oldest first: RECEIVED ones received before {@code
   * receivedBefore} whose invocation no run holds at {@code now} (their process may have died
   * before the handler finished), and FAILED ones whose retry is due.
   */
  List<CallbackRow> dueCallbacks(Instant now, Instant receivedBefore, int limit);

  /**
   * Makes a callback due now again (a dead one comes back to life); false when there is no such
   * callback.
   */
  boolean replayCallback(UUID callbackId, Instant now, NewEvent event);

  /** The newest event of each of these invocations; invocations without events are left out. */
  Map<UUID, EventRow> lastEvents(Collection<UUID> invocationIds);

  /**
   * PENDING invocations whose deadline is before {@code until}, soonest first: those about to time
   * out.
   */
  List<InvocationRow> pendingDueBefore(Instant until, int limit);

  /** Callbacks whose handler failed (outcome FAILED), newest first. */
  List<CallbackRow> failedCallbacks(int limit);

  /** Activity per minute since {@code from}, oldest first; minutes without any are left out. */
  List<ActivityMinute> activity(Instant from);

  /**
   * Records an invocation's correlation values (one per key; a key recorded again keeps its first
   * value) with their events. The default is for stores without correlation.
   */
  default void recordCorrelations(
      UUID invocationId, String service, List<CorrelationValue> values, List<NewEvent> events) {
    throw new UnsupportedOperationException("this store cannot correlate callbacks");
  }

  /**
   * The invocations of a service's operation holding this value for the key: PENDING ones first,
   * oldest first, then the others, newest first; at most {@code limit}.
   */
  default List<InvocationRow> invocationsByCorrelation(
      String service, String operation, String key, String value, int limit) {
    return List.of();
  }

  /**
   * Holds an early callback; when one with the same (service, dedup key) is stored already, stores
   * nothing and returns that one.
   */
  default EarlyCallbackRow holdEarlyCallback(EarlyCallbackRow callback) {
    throw new UnsupportedOperationException("this store cannot hold early callbacks");
  }

  /** The early callbacks still held for this value of the key, oldest first. */
  default List<EarlyCallbackRow> heldEarlyCallbacks(
      String service, String operation, String key, String value) {
    return List.of();
  }

  /**
   * Delivers a held early callback to an invocation in one transaction: marks it delivered and
   * inserts it as the invocation's callback (as {@link #insertCallback}) with the event. Empty,
   * writing nothing, when it is no longer held (another node delivered it, or it died).
   */
  default Optional<CallbackInsert> deliverEarlyCallback(
      UUID earlyId, CallbackRow callback, NewEvent event) {
    throw new UnsupportedOperationException("this store cannot hold early callbacks");
  }

  /**
   * Gives up the held early callbacks whose hold ended at or before {@code now}: marks up to {@code
   * limit} dead and returns them. Each dies once, whichever node asks.
   */
  default List<EarlyCallbackRow> expireEarlyCallbacks(Instant now, int limit) {
    return List.of();
  }

  default Optional<EarlyCallbackRow> earlyCallback(UUID id) {
    return Optional.empty();
  }

  /** Early callbacks held or dead (not delivered), newest first: what the console lists. */
  default List<EarlyCallbackRow> earlyCallbacks(int limit) {
    return List.of();
  }

  /**
   * The early callbacks still held ({@code dead} false) or given up unmatched ({@code dead} true),
   * newest first: the console's and the API's status filter.
   */
  default List<EarlyCallbackRow> earlyCallbacks(boolean dead, int limit) {
    return earlyCallbacks(Integer.MAX_VALUE).stream()
        .filter(e -> e.dead() == dead)
        .limit(limit)
        .toList();
  }

  /** Holds a dead early callback again until {@code until} (a replay); false when not dead. */
  default boolean holdEarlyCallbackAgain(UUID id, Instant until) {
    return false;
  }

  /**
   * Fires an alert for the cluster: inserts it as firing unless an alert of the same (rule,
   * subject) is firing already (a unique constraint decides between nodes racing); true when this
   * insert won, and then only this node posts it.
   */
  default boolean fireAlert(AlertRow alert) {
    throw new UnsupportedOperationException("this store cannot keep alerts");
  }

  /** Updates a firing alert's summary and invocations; false when it is not firing (any more). */
  default boolean updateAlert(UUID id, String summary, List<UUID> invocations) {
    return false;
  }

  /**
   * Resolves a firing alert at {@code at}, seen clear by {@code node}, and sets the delivery of its
   * resolution; true when this call resolved it (of nodes racing, one does). Resolved alerts other
   * than the newest {@code keep} are deleted in the same transaction.
   */
  default boolean resolveAlert(
      UUID id, Instant at, String node, AlertRow.Delivery delivery, int keep) {
    return false;
  }

  /** The alerts firing now, oldest first. */
  default List<AlertRow> firingAlerts() {
    return List.of();
  }

  /** The resolved alerts, newest first, at most {@code limit}. */
  default List<AlertRow> resolvedAlerts(int limit) {
    return List.of();
  }

  /**
   * Takes up to {@code limit} alerts whose delivery is due at {@code now} for a round of posts:
   * moves each one's due time to {@code until} (so no other node takes it meanwhile) and returns
   * them as they are now, soonest due first. Of nodes asking at once, each alert goes to one.
   */
  default List<AlertRow> claimAlertDeliveries(Instant now, Instant until, int limit) {
    return List.of();
  }

  /**
   * Records a round of posts for the alert's state it was for ({@code firing} or resolved); false,
   * writing nothing, when the alert is no longer in that state (it resolved meanwhile: the
   * resolution's post is what is due now) or not there.
   */
  default boolean recordAlertDelivery(UUID id, boolean firing, AlertRow.Delivery delivery) {
    return false;
  }

  /** Registers a node (or registers it again, as new): id, host, version, start, heartbeat. */
  void registerNode(NodeRow node);

  /** Records that the node is alive at {@code at}; false when it is not registered (any more). */
  boolean heartbeat(String nodeId, Instant at);

  /** Deregisters a node that stops, giving back any lease it still holds. */
  void removeNode(String nodeId);

  /**
   * Removes the nodes other than {@code self} whose last heartbeat is before {@code
   * heartbeatBefore}, and releases every lease they hold at once (raising the fences, so their runs
   * are superseded); returns the nodes removed. Safe from several nodes at once: each dead node is
   * removed once.
   */
  List<NodeRow> reapNodes(Instant heartbeatBefore, String self);

  /** The registered nodes, by id. */
  List<NodeRow> nodes();

  /**
   * The leases held now (a handler run on some node: the invocation's claim with its node), by node
   * id then soonest expiry, at most {@code limit}; what each node holds.
   */
  List<NodeLease> leases(int limit);

  /**
   * Whether several nodes may share this store, so that their time must be the store's: then {@link
   * #sharedTime()} answers, and the runtime reads every instant from it.
   */
  default boolean sharedClock() {
    return false;
  }

  /**
   * The store's clock now (the database server's), for a store with a {@link #sharedClock()}.
   *
   * @throws UnsupportedOperationException when it has none
   */
  default Instant sharedTime() {
    throw new UnsupportedOperationException("This store has no shared clock");
  }

  /** Whether the store answers now (a cheap query). */
  boolean healthy();

  @Override
  void close();
}
