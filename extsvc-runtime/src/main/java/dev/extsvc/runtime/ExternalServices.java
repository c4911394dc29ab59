package dev.extsvc.runtime;

import dev.extsvc.runtime.alert.AlertMonitor;
import dev.extsvc.runtime.cluster.DatabaseClock;
import dev.extsvc.runtime.cluster.Membership;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.invoke.Invoker;
import dev.extsvc.runtime.invoke.RequestValidator;
import dev.extsvc.runtime.observe.MeteredStore;
import dev.extsvc.runtime.observe.Meters;
import dev.extsvc.runtime.observe.StoreGauges;
import dev.extsvc.runtime.observe.Telemetry;
import dev.extsvc.runtime.observe.Tracing;
import dev.extsvc.runtime.process.Acknowledgements;
import dev.extsvc.runtime.process.CallbackWorker;
import dev.extsvc.runtime.process.Handlers;
import dev.extsvc.runtime.receive.CallbackIntake;
import dev.extsvc.runtime.receive.Correlator;
import dev.extsvc.runtime.registry.PayloadChecks;
import dev.extsvc.runtime.registry.Registry;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.support.SecretNames;
import dev.extsvc.runtime.timeout.Deadlines;
import dev.extsvc.runtime.timeout.Sweeper;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Correlation;
import dev.extsvc.spec.CorrelationRule;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.Report;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.ServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The facade: registers services, invokes their operations and receives their callbacks. Built once
 * with {@link #builder()}, immutable afterwards, thread-safe. Services registered earlier are
 * loaded back from the store, so a new instance on the same store takes the callbacks of
 * invocations made by an old one.
 *
 * <p>Each stage of an invocation's life lives in its own package, wired here by the builder: {@code
 * registry} (services compiled into plans), {@code invoke} (callouts), {@code receive} (callback
 * checks and storing), {@code process} (handler runs, retries, replay) and {@code timeout} (the
 * sweeper). None of them knows this class.
 */
public final class ExternalServices implements AutoCloseable {
  /** Synchronous callouts time out after this, as in the seed's platform. */
  public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(120);

  public static final Duration DEFAULT_CALLBACK_TIMEOUT = Duration.ofHours(24);
  public static final Duration DEFAULT_MAX_CALLBACK_TIMEOUT = Duration.ofHours(24);
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(1);

  /**
   * A synchronous handler slower than this no longer holds its sender (under common senders'
   * patience).
   */
  public static final Duration DEFAULT_HANDLER_TIMEOUT = Duration.ofSeconds(10);

  /** How long one callback's handler holds its invocation against timeouts and other callbacks. */
  public static final Duration DEFAULT_CALLBACK_LEASE = Duration.ofMinutes(2);

  /** How often a node says it is alive in the store (and looks for dead nodes). */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

  /**
   * A node silent for this long is dead: another node releases its leases at once and removes it.
   */
  public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * A callback stored this long ago, still not finished and held by no run, is taken to have lost
   * its process: the node timeout, so that a dead node's callbacks are taken over as soon as its
   * death is known.
   */
  public static final Duration DEFAULT_RECOVERY_GRACE = DEFAULT_NODE_TIMEOUT;

  public static final int DEFAULT_MAX_ATTEMPTS = 8;

  /**
   * How often a node compares the store's services version with its own, to follow what other nodes
   * register when the store cannot notify it (PostgreSQL notifies within milliseconds).
   */
  public static final Duration DEFAULT_REGISTRY_CHECK_INTERVAL = Duration.ofSeconds(5);

  /** How long {@link #close()} lets callbacks being answered and handlers running finish. */
  public static final Duration DEFAULT_DRAIN_PATIENCE = Duration.ofSeconds(30);

  /**
   * Where callback URLs live under the public base URL: {@code {publicBaseUrl}/callbacks/{token}}.
   */
  public static final String DEFAULT_CALLBACK_PATH = "/callbacks";

  private final Store store;
  private final InstantSource clock;
  private final Supplier<String> publicBaseUrl;
  private final String callbackPath;
  private final Registry registry;
  private final Invoker invoker;
  private final RequestValidator requestValidator;
  private final CallbackReceiver receiver;
  private final CallbackWorker worker;
  private final Sweeper sweeper;
  private final Membership membership;
  private final AlertMonitor alerts;
  private final Correlator correlator;
  private final Set<String> signedServices;
  private final Telemetry telemetry;
  private final Deadlines deadlines;
  private volatile boolean draining;

  private ExternalServices(
      Store store,
      InstantSource clock,
      Supplier<String> publicBaseUrl,
      String callbackPath,
      Registry registry,
      Invoker invoker,
      CallbackReceiver receiver,
      CallbackWorker worker,
      Sweeper sweeper,
      Membership membership,
      AlertMonitor alerts,
      Correlator correlator,
      Set<String> signedServices,
      Telemetry telemetry,
      Deadlines deadlines) {
    this.correlator = correlator;
    this.signedServices = signedServices;
    this.store = store;
    this.clock = clock;
    this.publicBaseUrl = publicBaseUrl;
    this.callbackPath = callbackPath;
    this.registry = registry;
    this.invoker = invoker;
    this.requestValidator = new RequestValidator(publicBaseUrl, callbackPath);
    this.receiver = receiver;
    this.worker = worker;
    this.sweeper = sweeper;
    this.membership = membership;
    this.alerts = alerts;
    this.telemetry = telemetry;
    this.deadlines = deadlines;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A registration (from {@code Registrar}) with its callback body schemas compiled as {@link
   * #register} compiles them: a key whose schema the validator cannot handle is not awaitable, with
   * a warning at the schema. What {@code extsvc check} reports without a runtime.
   *
   * @param formatAssertions as {@link Builder#formatAssertions}
   */
  public static Registration checkCallbackSchemas(
      Registration registration, boolean formatAssertions) {
    return PayloadChecks.check(registration, formatAssertions);
  }

  /**
   * Registers (or replaces) a service from an OpenAPI document. When the report has errors nothing
   * is registered.
   *
   * @param name the service name, or null to take the document's {@code info.title}
   */
  public Registration register(String document, @Nullable String name) {
    Registration registered = registry.register(document, name);
    ServiceDefinition service = registered.service();
    if (service == null || signedServices.contains(service.name())) {
      return registered;
    }
    List<String> correlated =
        service.operations().stream()
            .flatMap(op -> op.callbacks().stream())
            .filter(CallbackDefinition::awaitableByCorrelation)
            .map(CallbackDefinition::key)
            .distinct()
            .toList();
    if (correlated.isEmpty()) {
      return registered;
    }
    // No secret is in the shared address: without a signature anyone could complete invocations.
    registry.remove(service.name());
    List<Diagnostic> all = new ArrayList<>(registered.report().diagnostics());
    all.add(
        Diagnostic.error(
            "",
            "callbacks "
                + correlated
                + " are awaited by correlation at the shared address "
                + callbackPath
                + "/"
                + CallbackIntake.SHARED_PREFIX
                + service.name()
                + ", which carries no secret: configure a callback signature for service "
                + service.name()
                + " (callbackSignature, or webhookSecrets) before registering it"));
    return new Registration(null, new Report(all));
  }

  /**
   * For each operation of a registered service, the credentials its spec asks for and whether the
   * service's configured credentials cover them.
   */
  public List<CredentialCheck> credentialChecks(String service) {
    return invoker.credentialChecks(registry.plan(service));
  }

  /**
   * Removes a registered service from this node and the store; every node sharing the store
   * follows. Its invocations stay, and their callbacks are answered 404 from then on. False when
   * there was no such service.
   */
  public boolean unregister(String name) {
    return registry.remove(name);
  }

  public List<ServiceDefinition> services() {
    return registry.services();
  }

  public Optional<ServiceDefinition> service(String name) {
    return registry.service(name);
  }

  /**
   * Calls an operation. For an asynchronous one, writes a fresh callback URL wherever its callback
   * keys point, persists the invocation (PENDING) before the first byte goes out, and returns the
   * synchronous answer with the invocation id. A non-2xx answer or a failed callout cancels the
   * invocation with the reason.
   *
   * @param input the request parts (query, headers, path, body)
   * @param handler receives the callbacks; null records them for the caller to read (REST, CLI)
   * @param callbackTimeout how long to wait for a callback; null for the default (24 h)
   * @throws CalloutException when no answer came
   * @throws ExtsvcException for an unknown service or operation, or input that cannot be sent
   */
  public InvocationResult invoke(
      String service,
      String operation,
      RequestParts input,
      @Nullable CallbackHandler handler,
      @Nullable Duration callbackTimeout) {
    var plan = registry.plan(service);
    InvocationResult result = invoker.invoke(plan, operation, input, handler, callbackTimeout);
    if (result.async() && result.successful()) {
      var op = plan.requireOperation(operation).operation();
      correlator.recordAnswered(
          service,
          operation,
          result.invocationId(),
          plan.endpoint() + op.path(),
          op.method(),
          result.sentRequest(),
          result.statusCode(),
          result.headers(),
          result.body());
    }
    return result;
  }

  /**
   * Checks a request against the operation's declaration without sending it: required parameters
   * present, scalar parameters and the body valid against their schemas (with the callback URLs
   * written where {@link #invoke} would write them). {@link #invoke} itself does not check; the
   * REST API and the CLI call this first.
   *
   * @return the problems, each with a JSON pointer into the request's JSON form; empty when valid
   * @throws ExtsvcException for an unknown service or operation
   */
  public List<RequestProblem> validateRequest(
      String service, String operation, RequestParts input) {
    return requestValidator.validate(registry.plan(service), operation, input);
  }

  /**
   * The framework-neutral callback endpoint; a web server passes it what follows its callback
   * prefix.
   */
  public CallbackReceiver receiver() {
    return receiver;
  }

  /**
   * The receiver as an HTTP endpoint mounted at {@link #callbackPath()}: what a web framework's
   * adapter serves through a {@link CallbackExchange}.
   */
  public CallbackEndpoint callbackEndpoint() {
    return new CallbackEndpoint(receiver, callbackPath);
  }

  public Optional<InvocationRow> invocation(UUID id) {
    return store.invocation(id);
  }

  public List<CallbackRow> callbacks(UUID invocationId) {
    return store.callbacks(invocationId);
  }

  public List<EventRow> events(UUID invocationId) {
    return store.events(invocationId);
  }

  /**
   * Moves a PENDING invocation's deadline later by {@code by}, for a job that needs longer than it
   * was given; a {@code DEADLINE_EXTENDED} event records the old and the new deadline. The new
   * deadline may not be further from now than the service's maximum callback timeout.
   *
   * @return the new deadline
   * @throws DeadlineExtensionException for an unknown or final invocation, a duration that is not
   *     positive, or one that passes the maximum (its {@link DeadlineExtensionException#reason()}
   *     says which)
   */
  public Instant extend(UUID invocationId, Duration by) {
    return deadlines.extend(invocationId, by, "extended by " + by + " on request");
  }

  /** Cancels a PENDING invocation; returns false when it was not pending (or does not exist). */
  public boolean cancel(UUID invocationId, String reason) {
    var at = clock.instant();
    boolean cancelled =
        store.finish(
            invocationId,
            InvocationStatus.CANCELLED,
            reason,
            at,
            new NewEvent(invocationId, at, EventKind.CANCELLED, "Cancelled: " + reason));
    if (cancelled) {
      store
          .invocation(invocationId)
          .ifPresent(
              inv -> {
                telemetry
                    .meters()
                    .finished(inv.service(), inv.operation(), InvocationStatus.CANCELLED);
                telemetry.tracing().cancelled(inv, "Cancelled: " + reason);
              });
    }
    return cancelled;
  }

  /**
   * Replays a stored callback whose handler failed (FAILED, also dead) or declined it
   * (NOT_HANDLED): its handler runs again now, as if its sender had sent it again. Answers 200 when
   * handled now (the invocation completes), 404, 408 or 500 as the receiver would; 404 for an
   * unknown callback, 409 for one that is handled or being handled.
   */
  public CallbackResponse replay(UUID callbackId) {
    if (store.callback(callbackId).isEmpty()) {
      Optional<CallbackResponse> early = correlator.replay(callbackId);
      if (early.isPresent()) {
        return early.get();
      }
    }
    return worker.replay(callbackId);
  }

  /**
   * Callbacks that arrived at a shared address before any invocation held their correlation value,
   * held or (unmatched at the end of their hold) dead, newest first. {@link #replay} holds a dead
   * one again.
   */
  public List<EarlyCallbackRow> earlyCallbacks(int limit) {
    return store.earlyCallbacks(limit);
  }

  /**
   * How long a callback that reaches a shared address before any invocation holds its value is held
   * before it is dead ({@link Builder#earlyCallbackHold}).
   */
  public Duration earlyCallbackHold() {
    return correlator.earlyHold();
  }

  /**
   * Gives up now the early callbacks whose hold has ended (done every sweep interval); how many
   * died.
   */
  public int expireEarlyCallbacks() {
    return correlator.expire();
  }

  /**
   * Processes due durable retries and recovers unfinished callbacks now (the worker does this every
   * interval).
   */
  public int processDueCallbacks() {
    return worker.poll();
  }

  /** Times out due invocations now (the sweeper does this every interval); returns how many. */
  public int sweepNow() {
    return sweeper.sweep();
  }

  public Store store() {
    return store;
  }

  public String publicBaseUrl() {
    return publicBaseUrl.get();
  }

  /**
   * Where callbacks are received under the public base URL, e.g. "/callbacks"; the receiver takes
   * what follows.
   */
  public String callbackPath() {
    return callbackPath;
  }

  /**
   * Whether the background sweeper is running and has completed a sweep lately (within three
   * intervals, at least 5 s); false before its first sweep, after {@link #close()}, or when it was
   * not started.
   */
  public boolean sweeperAlive() {
    return sweeper.alive();
  }

  /**
   * Whether this node should be sent callbacks now: not draining and the store answers (a load
   * balancer's readiness check). Asks the store, so it may take up to its health timeout.
   */
  public boolean ready() {
    return !draining && store.healthy();
  }

  /** Whether {@link #drain} (or {@link #close()}) has begun: {@link #ready()} is false for good. */
  public boolean draining() {
    return draining;
  }

  /**
   * The first half of a graceful stop, for a node leaving a cluster (SIGTERM): {@link #ready()}
   * turns false at once, new callbacks are answered 503 with {@code Retry-After} (the sender or the
   * load balancer tries another node), and callbacks being answered and handlers running get up to
   * {@code patience} to finish; a handler still running then is interrupted and its callback, still
   * stored as received, is taken over by another node's recovery. Invocations and the API keep
   * working until {@link #close()}. Calling it again waits no longer.
   */
  public void drain(Duration patience) {
    draining = true;
    long until = System.nanoTime() + patience.toNanos();
    receiver.drain(patience);
    worker.close(Duration.ofNanos(Math.max(0, until - System.nanoTime())));
  }

  /**
   * Stops gracefully: {@link #drain} with {@link #DEFAULT_DRAIN_PATIENCE} (30 s) unless drained
   * already, then the sweeper and the registry's watch stop and the node deregisters. The store
   * belongs to the caller and stays open.
   */
  @Override
  public void close() {
    if (!draining) {
      drain(DEFAULT_DRAIN_PATIENCE);
    }
    sweeper.close();
    alerts.close();
    correlator.close();
    membership.close();
    registry.close();
  }

  /** The alerts firing now, oldest first (see {@link Builder#alerts}). */
  public List<Alert> alerts() {
    return alerts.firing();
  }

  /** The latest resolved alerts, newest first (the last 50). */
  public List<Alert> resolvedAlerts() {
    return alerts.resolved();
  }

  /**
   * Checks the alert rules now (they are checked every {@link AlertRules#every()} in the
   * background): for tests, and for a console that wants the latest.
   */
  public void checkAlerts() {
    alerts.check();
  }

  /**
   * This runtime's node id: its leases and its row among the store's nodes carry it. Configured
   * ({@link Builder#nodeId}) or generated (host name and a random suffix).
   */
  public String nodeId() {
    return membership.nodeId();
  }

  /**
   * After how long without a heartbeat a node counts as dead (its leases released, its callbacks
   * taken over); the console shows each node alive or dead by it.
   */
  public Duration nodeTimeout() {
    return membership.nodeTimeout();
  }

  /**
   * The clock deadlines are measured with (the console shows time left by it): the database's on a
   * store several nodes share (PostgreSQL), whatever clock the builder was given; else the
   * builder's.
   */
  public InstantSource clock() {
    return clock;
  }

  /**
   * A service's configured endpoint without one trailing slash (the registry strips one more, as it
   * always has).
   */
  private static @Nullable String configuredEndpoint(@Nullable ServiceSettings settings) {
    String endpoint = settings == null ? null : settings.endpoint();
    return endpoint != null && endpoint.endsWith("/")
        ? endpoint.substring(0, endpoint.length() - 1)
        : endpoint;
  }

  private static String stripSlash(String url) {
    URI.create(url);
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** Builds {@link ExternalServices}; store and public base URL are required. */
  public static final class Builder {
    private @Nullable Store store;
    private @Nullable Supplier<String> publicBaseUrl;
    private String callbackPath = DEFAULT_CALLBACK_PATH;
    private HandlerTransaction handlerTransaction = HandlerTransaction.NONE;
    private @Nullable HttpClient httpClient;
    private InstantSource clock = InstantSource.system();
    private Registrar registrar = Registrar.defaults();
    private final Map<String, ServiceSettings> settings = new LinkedHashMap<>();
    private final Map<String, Credential> credentials = new LinkedHashMap<>();
    private boolean allowPrivateNetworks;
    private final List<String> allowedAddresses = new ArrayList<>();
    private boolean specServers;
    private boolean formatAssertions;
    private Duration syncTimeout = DEFAULT_SYNC_TIMEOUT;
    private Duration defaultCallbackTimeout = DEFAULT_CALLBACK_TIMEOUT;
    private Duration maxCallbackTimeout = DEFAULT_MAX_CALLBACK_TIMEOUT;
    private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
    private boolean startSweeper = true;
    private Limits limits = Limits.DEFAULTS;
    private final Set<Class<? extends CallbackHandler>> handlerTypes = new LinkedHashSet<>();
    private final List<String> handlerPackages = new ArrayList<>();
    private HandlerFactory handlerFactory = Handlers.JACKSON_FACTORY;
    private final Map<String, Acknowledgement> acknowledgements = new HashMap<>();
    private Duration handlerTimeout = DEFAULT_HANDLER_TIMEOUT;
    private Duration callbackLease = DEFAULT_CALLBACK_LEASE;
    private @Nullable Duration recoveryGrace;
    private @Nullable String nodeId;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private Duration nodeTimeout = DEFAULT_NODE_TIMEOUT;
    private AlertRules alertRules = AlertRules.DEFAULTS;
    private @Nullable HttpClient alertClient;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration firstRetryDelay = Duration.ofSeconds(1);
    private Duration maxRetryDelay = Duration.ofMinutes(10);
    private int unknownTokenLimit = 60;
    private final List<String> trustedProxies = new ArrayList<>();
    private final List<String> maskedNames = new ArrayList<>();
    private StorageQuotas storageQuotas = StorageQuotas.DEFAULTS;
    private final Map<String, List<String>> webhookSecrets = new HashMap<>();
    private final Map<String, CallbackSignature> callbackSignatures = new HashMap<>();
    private final List<CorrelationRule> correlationRules = new ArrayList<>();
    private Duration earlyCallbackHold = Correlator.DEFAULT_EARLY_HOLD;
    private final Set<String> handlerTypeNames = new LinkedHashSet<>();
    private Duration registryCheckInterval = DEFAULT_REGISTRY_CHECK_INTERVAL;

    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private @Nullable MeterRegistry meterRegistry;

    private Builder() {}

    /**
     * Where spans go: the callout (a CLIENT span whose W3C {@code traceparent} is sent to the
     * service and stored with the invocation), each callback received and each handler run (its
     * children, days later and on any node), timeouts and cancellations. OpenTelemetry's no-op by
     * default: nothing is recorded or stored. The runtime uses the API only; the application (or
     * {@code extsvc serve}) brings the SDK.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /**
     * Where meters go (invocations by final status, callbacks by answer, callback delay, handler
     * duration, store figures, store latency and errors, unknown tokens; the list is in the
     * README's "Operating extsvc"); none by default.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /**
     * How often this node compares the store's services version with its own, to pick up what other
     * nodes registered when the store did not notify it (default 5 s).
     */
    public Builder registryCheckInterval(Duration interval) {
      this.registryCheckInterval = positive(interval, "registryCheckInterval");
      return this;
    }

    /** How callbacks of a service are acknowledged (default {@link Acknowledgement#SYNC}). */
    public Builder acknowledgement(String service, Acknowledgement mode) {
      acknowledgements.put(service, mode);
      return this;
    }

    /** How callbacks of one operation are acknowledged; wins over the service's setting. */
    public Builder acknowledgement(String service, String operation, Acknowledgement mode) {
      acknowledgements.put(Acknowledgements.operationKey(service, operation), mode);
      return this;
    }

    /**
     * How long a sender waits for a synchronous handler before it is answered 202 (default 10 s).
     */
    public Builder handlerTimeout(Duration timeout) {
      this.handlerTimeout = positive(timeout, "handlerTimeout");
      return this;
    }

    /** How long one handler run holds its invocation (default 2 min). */
    public Builder callbackLease(Duration lease) {
      this.callbackLease = positive(lease, "callbackLease");
      return this;
    }

    /**
     * After how long a stored, unfinished callback that no run holds is taken over by the worker
     * (default: the node timeout, 5 s). A dead node's callbacks do not wait for it: the node that
     * finds it dead takes them over at once.
     */
    public Builder recoveryGrace(Duration grace) {
      this.recoveryGrace = positive(grace, "recoveryGrace");
      return this;
    }

    /**
     * This runtime's node id among those sharing the store (default: the host name and a random
     * suffix, new with each start). Letters, digits, '.', '_', '-', at most 100.
     */
    public Builder nodeId(String id) {
      if (!id.matches("[A-Za-z0-9._-]{1,100}")) {
        throw new IllegalArgumentException(
            "nodeId must be 1 to 100 letters, digits, '.', '_' or '-', was '" + id + "'");
      }
      this.nodeId = id;
      return this;
    }

    /** How often this node says it is alive and looks for dead nodes (default 1 s). */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive(interval, "heartbeatInterval");
      return this;
    }

    /**
     * After how long without a heartbeat a node is dead, its leases released and its callbacks
     * taken over (default 5 s); at least twice the heartbeat interval. A node whose heartbeats have
     * not gone through for four fifths of it drops its own handler runs, before anyone may take it
     * for dead; takeover after a crash takes about this long plus a heartbeat interval.
     */
    /**
     * The alert rules and where alerts go (default {@link AlertRules#DEFAULTS}: dead callbacks,
     * store errors, gone nodes and a high handler failure rate, shown but not sent).
     */
    public Builder alerts(AlertRules rules) {
      this.alertRules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** The HTTP client alert webhooks are posted with (default: the JDK's, 5 s to connect). */
    public Builder alertClient(HttpClient client) {
      this.alertClient = client;
      return this;
    }

    public Builder nodeTimeout(Duration timeout) {
      this.nodeTimeout = positive(timeout, "nodeTimeout");
      return this;
    }

    /**
     * Durable retries: attempts in all, the first delay, the longest delay (exponential, with
     * jitter).
     */
    public Builder durableRetries(int attempts, Duration firstDelay, Duration maxDelay) {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be at least 1");
      }
      this.maxAttempts = attempts;
      this.firstRetryDelay = positive(firstDelay, "firstDelay");
      this.maxRetryDelay = positive(maxDelay, "maxDelay");
      return this;
    }

    /**
     * Requires Standard Webhooks signatures on the callbacks of a service ({@code webhook-id},
     * {@code webhook-timestamp}, {@code webhook-signature}; HMAC-SHA256, ±5 min); several secrets
     * while keys rotate. Callbacks that fail the check are answered 401, without saying which check
     * failed.
     */
    public Builder webhookSecrets(String service, String... secrets) {
      CallbackIntake.checkWebhookSecrets(List.of(secrets));
      webhookSecrets.put(service, List.of(secrets));
      return this;
    }

    /**
     * How a service's callbacks are signed (a provider preset or a generic HMAC): checked on every
     * callback of the service, and required for its shared address {@code
     * {callbackPath}/services/{service}}, where callbacks awaited by correlation arrive. A callback
     * failing the check is answered 401 without a hint.
     */
    public Builder callbackSignature(String service, CallbackSignature signature) {
      callbackSignatures.put(
          Objects.requireNonNull(service, "service"),
          Objects.requireNonNull(signature, "signature"));
      return this;
    }

    /**
     * Awaits the callbacks of a key by correlation, for a document that does not declare it ({@code
     * x-extsvc-correlation}): the callback whose value at {@code callback} ({@code
     * $request.header.NAME} or {@code $request.body#/pointer} of the callback) equals the
     * invocation's value at {@code invocation} (its request's or answer's, e.g. {@code
     * $response.body#/id}) belongs to that invocation. They arrive at the service's shared address,
     * which needs a {@link #callbackSignature}.
     *
     * @throws IllegalArgumentException when an expression is not one a rule can use
     */
    public Builder correlate(
        String service, String operation, String key, String invocation, String callback) {
      correlationRules.add(
          new CorrelationRule(service, operation, key, Correlation.parse(invocation, callback)));
      return this;
    }

    /**
     * How long a callback that arrives at a shared address before any invocation holds its value is
     * held (answered 202) for the invocation that records it; then it is dead (default 10 min).
     */
    public Builder earlyCallbackHold(Duration hold) {
      this.earlyCallbackHold = positive(hold, "earlyCallbackHold");
      return this;
    }

    /** Unknown-token answers per client and minute before it is answered 429 (default 60). */
    public Builder unknownTokenLimit(int perMinute) {
      if (perMinute < 1) {
        throw new IllegalArgumentException("unknownTokenLimit must be positive");
      }
      this.unknownTokenLimit = perMinute;
      return this;
    }

    /**
     * Proxies (addresses or blocks such as "10.0.0.0/8") whose {@code Forwarded} or {@code
     * X-Forwarded-For} header names the client a callback is counted under by the unknown-token
     * limit: the rightmost hop that is not itself a trusted proxy. From any other peer those
     * headers are ignored. None by default: the direct peer is the client.
     */
    public Builder trustedProxies(String... blocks) {
      for (String block : blocks) {
        CallbackIntake.checkTrustedProxy(block);
        trustedProxies.add(block);
      }
      return this;
    }

    /**
     * Header and query parameter names whose values are masked in what is stored and shown, besides
     * the built-in ones ({@code Authorization}, {@code Cookie}, names with key, token, secret,
     * password, signature...); matched exactly, ignoring case. The callout still carries them.
     */
    public Builder maskNames(String... names) {
      new SecretNames(List.of(names)); // fails on an empty name
      maskedNames.addAll(List.of(names));
      return this;
    }

    /**
     * How many callbacks (per invocation, after completion) and bytes (all together) may be stored
     * (default {@link StorageQuotas#DEFAULTS}).
     */
    public Builder storageQuotas(StorageQuotas quotas) {
      this.storageQuotas = Objects.requireNonNull(quotas, "storageQuotas");
      return this;
    }

    public Builder store(Store store) {
      this.store = store;
      return this;
    }

    /**
     * The URL under which callback senders reach this runtime's receiver, e.g.
     * "https://hooks.example.com".
     */
    public Builder publicBaseUrl(String url) {
      stripSlash(Objects.requireNonNull(url, "publicBaseUrl"));
      this.publicBaseUrl = () -> url;
      return this;
    }

    /**
     * The public base URL, read each time an invocation writes its callback URLs: for a server
     * whose port is known only once it has started (an embedding application on a random port).
     */
    public Builder publicBaseUrl(Supplier<String> url) {
      this.publicBaseUrl = Objects.requireNonNull(url, "publicBaseUrl");
      return this;
    }

    /**
     * Where callbacks are received under the public base URL (default {@value
     * #DEFAULT_CALLBACK_PATH}): the application mounts {@link #receiver()} there. Starts with "/",
     * no trailing "/".
     */
    public Builder callbackPath(String path) {
      if (!path.matches("(/[A-Za-z0-9._~-]+)+")) {
        throw new IllegalArgumentException(
            "callbackPath must look like /callbacks or /hooks/extsvc, was '" + path + "'");
      }
      this.callbackPath = path;
      return this;
    }

    /**
     * Runs each handler and its callback's completion as one unit of work (default {@link
     * HandlerTransaction#NONE}); an application whose handlers write to the store's database shares
     * its transaction this way.
     */
    public Builder handlerTransaction(HandlerTransaction transaction) {
      this.handlerTransaction = Objects.requireNonNull(transaction, "handlerTransaction");
      return this;
    }

    public Builder httpClient(HttpClient client) {
      this.httpClient = client;
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = clock;
      return this;
    }

    public Builder registrar(Registrar registrar) {
      this.registrar = registrar;
      return this;
    }

    /**
     * Where callouts of a service go (its base URL); the same as {@code service(name, s ->
     * s.endpoint(url))}.
     */
    public Builder endpoint(String service, String baseUrl) {
      return service(service, s -> s.endpoint(baseUrl));
    }

    /**
     * Configures callouts of one service: endpoint, credentials, timeouts, callback timeouts,
     * answer size. Called again for the same service, it changes the settings made so far.
     */
    public Builder service(String service, Consumer<ServiceSettings.Builder> configure) {
      ServiceSettings current = settings.get(service);
      ServiceSettings.Builder b =
          current == null
              ? new ServiceSettings.Builder(service)
              : new ServiceSettings.Builder(current);
      configure.accept(b);
      settings.put(service, b.build());
      return this;
    }

    /**
     * Sets all of one service's settings at once (replacing earlier ones), as a configuration file
     * gives them.
     */
    public Builder service(ServiceSettings service) {
      settings.put(service.service(), Objects.requireNonNull(service, "service"));
      return this;
    }

    /**
     * Defines a credential that services refer to by its name; a second one with the same name
     * replaces it.
     */
    public Builder credential(Credential credential) {
      credentials.put(credential.name(), Objects.requireNonNull(credential, "credential"));
      return this;
    }

    /**
     * Whether callouts may go to loopback, private (RFC 1918, unique local), link-local, shared and
     * unspecified addresses; off by default. Metadata addresses such as 169.254.169.254 stay
     * refused: allow them by block with {@link #allowAddresses}.
     */
    public Builder allowPrivateNetworks(boolean allow) {
      this.allowPrivateNetworks = allow;
      return this;
    }

    /** Address blocks callouts may always go to, such as "10.20.0.0/16" or "fd12::/16". */
    public Builder allowAddresses(String... blocks) {
      for (String block : blocks) {
        Invoker.checkAddressBlock(block);
        allowedAddresses.add(block);
      }
      return this;
    }

    /**
     * Whether a service without a configured endpoint is called at its spec's first absolute server
     * URL. Off by default, so a registered document cannot choose where the runtime connects.
     */
    public Builder allowSpecServers(boolean allow) {
      this.specServers = allow;
      return this;
    }

    /**
     * Whether a callback body is refused when a value does not match its schema's {@code format}
     * (date-time, email, uuid, ...). Off by default: OpenAPI 3.1 (JSON Schema 2020-12) makes
     * formats annotations, and senders differ in how strictly they write them.
     */
    public Builder formatAssertions(boolean assertFormats) {
      this.formatAssertions = assertFormats;
      return this;
    }

    public Builder syncTimeout(Duration timeout) {
      this.syncTimeout = positive(timeout, "syncTimeout");
      return this;
    }

    public Builder defaultCallbackTimeout(Duration timeout) {
      this.defaultCallbackTimeout = positive(timeout, "defaultCallbackTimeout");
      return this;
    }

    public Builder maxCallbackTimeout(Duration timeout) {
      this.maxCallbackTimeout = positive(timeout, "maxCallbackTimeout");
      return this;
    }

    public Builder sweepInterval(Duration interval) {
      this.sweepInterval = positive(interval, "sweepInterval");
      return this;
    }

    /**
     * Whether to start the background sweeper (default true); tests may call {@link #sweepNow()}
     * instead.
     */
    public Builder startSweeper(boolean start) {
      this.startSweeper = start;
      return this;
    }

    public Builder limits(Limits limits) {
      this.limits = limits;
      return this;
    }

    /** Allows a handler type to be re-created from the store (after a restart, on another node). */
    public Builder handlerType(Class<? extends CallbackHandler> type) {
      handlerTypes.add(type);
      return this;
    }

    /**
     * Allows a handler type, by its binary class name, to be re-created from the store: for types
     * named in configuration ({@code handlers.allowedTypes}), so that every node allows the same
     * ones whether or not it invoked with them. The class is looked up only when a callback needs
     * it.
     */
    public Builder allowHandlerType(String className) {
      if (!className.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
        throw new IllegalArgumentException(
            "a handler type is a class name such as com.example.LoanHandler, was '"
                + className
                + "'");
      }
      handlerTypeNames.add(className);
      return this;
    }

    /**
     * Allows every handler type in a package (and its sub-packages) to be re-created from the
     * store.
     */
    public Builder allowHandlerPackage(String packageName) {
      handlerPackages.add(packageName);
      return this;
    }

    public Builder handlerFactory(HandlerFactory factory) {
      this.handlerFactory = factory;
      return this;
    }

    /**
     * Builds the runtime: each stage is constructed with what it needs, stored services are loaded,
     * then (unless {@link #startSweeper(boolean) startSweeper(false)}) the worker and the sweeper
     * start.
     */
    public ExternalServices build() {
      Store unmetered = Objects.requireNonNull(this.store, "store is required");
      MeterRegistry meters = this.meterRegistry;
      Store store = meters == null ? unmetered : MeteredStore.of(unmetered, meters);
      Telemetry telemetry =
          new Telemetry(
              new Tracing(openTelemetry), meters == null ? Meters.NONE : new Meters(meters));
      for (CorrelationRule rule : correlationRules) {
        if (!callbackSignatures.containsKey(rule.service())
            && !webhookSecrets.containsKey(rule.service())) {
          throw new IllegalArgumentException(
              "service "
                  + rule.service()
                  + " awaits "
                  + rule.operation()
                  + "/"
                  + rule.key()
                  + " by correlation at its shared address, which carries no secret: give it a"
                  + " callbackSignature (or webhookSecrets)");
        }
      }
      Registrar registrar =
          correlationRules.isEmpty()
              ? this.registrar
              : this.registrar.withCorrelations(correlationRules);
      if (nodeTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException(
            "nodeTimeout ("
                + nodeTimeout
                + ") must be at least twice heartbeatInterval ("
                + heartbeatInterval
                + "): a node drops its handler runs when no heartbeat went through for four fifths"
                + " of the node timeout");
      }
      // On a store several nodes share, every instant is the database's: deadlines, leases, retry
      // times and sweeps then agree whatever each node's wall clock says.
      DatabaseClock databaseClock =
          store.sharedClock() ? new DatabaseClock(store::sharedTime) : null;
      InstantSource clock = databaseClock != null ? databaseClock : this.clock;
      String node = nodeId != null ? nodeId : Membership.generatedNodeId();
      Membership membership =
          new Membership(
              new Membership.Context(
                  store, clock, node, version(), heartbeatInterval, nodeTimeout, databaseClock));
      Supplier<String> baseUrl =
          Objects.requireNonNull(this.publicBaseUrl, "publicBaseUrl is required");
      Supplier<String> stripped = () -> stripSlash(baseUrl.get());
      Map<String, ServiceSettings> settings = Map.copyOf(this.settings);
      Handlers handlers =
          new Handlers(handlerTypes, handlerTypeNames, handlerPackages, handlerFactory);
      SecretNames secretNames = new SecretNames(maskedNames);
      Acknowledgements acks = new Acknowledgements(acknowledgements);
      Invoker invoker =
          new Invoker(
              new Invoker.Context(
                  store,
                  clock,
                  stripped,
                  callbackPath,
                  handlers::stateOf,
                  settings,
                  Map.copyOf(credentials),
                  httpClient != null ? httpClient : Invoker.defaultHttpClient(),
                  allowPrivateNetworks,
                  List.copyOf(allowedAddresses),
                  syncTimeout,
                  defaultCallbackTimeout,
                  maxCallbackTimeout,
                  secretNames,
                  telemetry));
      Registry registry =
          new Registry(
              new Registry.Context(
                  store,
                  clock,
                  registrar,
                  name -> configuredEndpoint(settings.get(name)),
                  specServers,
                  invoker::credentialChecks,
                  registryCheckInterval,
                  formatAssertions,
                  name -> {
                    ServiceSettings s = settings.get(name);
                    return s == null ? Map.of() : s.callbackRoles();
                  }));
      Deadlines deadlines =
          new Deadlines(
              new Deadlines.Context(
                  store,
                  clock,
                  name -> {
                    ServiceSettings s = settings.get(name);
                    return s != null && s.maxCallbackTimeout() != null
                        ? s.maxCallbackTimeout()
                        : maxCallbackTimeout;
                  }));
      CallbackWorker worker =
          new CallbackWorker(
              new CallbackWorker.Context(
                  store,
                  clock,
                  handlers,
                  handlerTransaction,
                  acks,
                  maxAttempts,
                  firstRetryDelay,
                  maxRetryDelay,
                  handlerTimeout,
                  callbackLease,
                  recoveryGrace != null ? recoveryGrace : nodeTimeout,
                  sweepInterval,
                  node,
                  telemetry,
                  registry::progressKeys),
              membership.liveness());
      membership.afterReap(worker::takeOver);
      Correlator correlator =
          new Correlator(
              new Correlator.Context(
                  store,
                  clock,
                  registry::plan,
                  worker,
                  earlyCallbackHold,
                  sweepInterval,
                  deadlines::heartbeat));
      CallbackIntake intake =
          new CallbackIntake(
              new CallbackIntake.Context(
                  store,
                  clock,
                  limits,
                  unknownTokenLimit,
                  registry::plan,
                  acks,
                  Map.copyOf(webhookSecrets),
                  worker,
                  List.copyOf(trustedProxies),
                  secretNames,
                  storageQuotas,
                  Map.copyOf(callbackSignatures),
                  () -> stripped.get() + callbackPath,
                  correlator,
                  telemetry,
                  deadlines::heartbeat));
      Sweeper sweeper =
          new Sweeper(
              new Sweeper.Context(store, clock, handlers::recreate, sweepInterval, telemetry));
      if (meters != null) {
        telemetry.meters().storeGauges(new StoreGauges(store, clock));
      }
      AlertMonitor alerts =
          new AlertMonitor(
              new AlertMonitor.Context(
                  store,
                  clock,
                  node,
                  nodeTimeout,
                  alertRules,
                  () -> stripped.get() + "/console/invocations/",
                  alertClient));
      membership.onNodesRemoved(alerts::nodesRemoved);
      Set<String> signed = new java.util.HashSet<>(callbackSignatures.keySet());
      signed.addAll(webhookSecrets.keySet());
      registry.load();
      membership.register();
      ExternalServices services =
          new ExternalServices(
              store,
              clock,
              stripped,
              callbackPath,
              registry,
              invoker,
              new CallbackReceiver(intake),
              worker,
              sweeper,
              membership,
              alerts,
              correlator,
              signed,
              telemetry,
              deadlines);
      if (startSweeper) {
        correlator.start();
        sweeper.start();
        worker.start();
        membership.start();
        registry.start();
        alerts.start();
      }
      return services;
    }

    /** The runtime's version from its jar's manifest; "dev" when run from classes. */
    private static String version() {
      String version = ExternalServices.class.getPackage().getImplementationVersion();
      return version != null ? version : "dev";
    }

    private static Duration positive(Duration d, String name) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }
  }
}
