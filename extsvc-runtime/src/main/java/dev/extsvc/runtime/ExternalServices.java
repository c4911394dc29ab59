package dev.extsvc.runtime;

import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.ServiceDefinition;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
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
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facade: registers services, invokes their operations and receives their callbacks. Built once with
 * {@link #builder()}, immutable afterwards, thread-safe. Services registered earlier are loaded back from the
 * store, so a new instance on the same store takes the callbacks of invocations made by an old one.
 */
public final class ExternalServices implements AutoCloseable {
  /** Synchronous callouts time out after this, as in the seed's platform. */
  public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(120);

  public static final Duration DEFAULT_CALLBACK_TIMEOUT = Duration.ofHours(24);
  public static final Duration DEFAULT_MAX_CALLBACK_TIMEOUT = Duration.ofHours(24);
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(1);
  /** A synchronous handler slower than this no longer holds its sender (under common senders' patience). */
  public static final Duration DEFAULT_HANDLER_TIMEOUT = Duration.ofSeconds(10);
  /** How long one callback's handler holds its invocation against timeouts and other callbacks. */
  public static final Duration DEFAULT_CALLBACK_LEASE = Duration.ofMinutes(2);
  /** A callback stored this long ago and still not finished is taken to have lost its process. */
  public static final Duration DEFAULT_RECOVERY_GRACE = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_ATTEMPTS = 8;

  private static final Logger log = LoggerFactory.getLogger(ExternalServices.class);

  private final Store store;
  private final String publicBaseUrl;
  private final InstantSource clock;
  private final Registrar registrar;
  private final Map<String, String> endpoints;
  private final Map<String, ServicePlan> services = new ConcurrentHashMap<>();
  private final Duration syncTimeout;
  private final Duration defaultCallbackTimeout;
  private final Duration maxCallbackTimeout;
  private final Handlers handlers;
  private final Invoker invoker;
  private final CallbackReceiver receiver;
  private final Sweeper sweeper;
  private final CallbackWorker worker;
  private final Map<String, Acknowledgement> acknowledgements;

  private ExternalServices(Builder b) {
    this.store = Objects.requireNonNull(b.store, "store is required");
    this.publicBaseUrl = stripSlash(Objects.requireNonNull(b.publicBaseUrl, "publicBaseUrl is required"));
    this.clock = b.clock;
    this.registrar = b.registrar;
    this.endpoints = Map.copyOf(b.endpoints);
    this.syncTimeout = b.syncTimeout;
    this.defaultCallbackTimeout = b.defaultCallbackTimeout;
    this.maxCallbackTimeout = b.maxCallbackTimeout;
    if (defaultCallbackTimeout.compareTo(maxCallbackTimeout) > 0) {
      throw new IllegalArgumentException("defaultCallbackTimeout exceeds maxCallbackTimeout");
    }
    this.handlers = new Handlers(b.handlerTypes, b.handlerPackages, b.handlerFactory);
    HttpClient http = b.httpClient != null
        ? b.httpClient
        : HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.invoker = new Invoker(this, http);
    this.acknowledgements = Map.copyOf(b.acknowledgements);
    this.receiver = new CallbackReceiver(this, b.limits, new UnknownTokenLimiter(b.unknownTokenLimit, Duration.ofMinutes(1)));
    this.sweeper = new Sweeper(this, b.sweepInterval);
    CallbackProcessor processor = new CallbackProcessor(this,
        new CallbackProcessor.RetryPolicy(b.maxAttempts, b.firstRetryDelay, b.maxRetryDelay), b.callbackLease);
    this.worker = new CallbackWorker(this, processor, b.handlerTimeout, b.recoveryGrace, b.sweepInterval);
    loadStoredServices();
    if (b.startSweeper) {
      sweeper.start();
      worker.start();
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers (or replaces) a service from an OpenAPI document. When the report has errors nothing is registered.
   *
   * @param name the service name, or null to take the document's {@code info.title}
   */
  public Registration register(String document, @Nullable String name) {
    Registration registration = registrar.register(document, name);
    ServiceDefinition definition = registration.service();
    if (definition != null) {
      store.saveService(new ServiceRow(definition.name(), definition.version(), document, clock.instant()));
      services.put(definition.name(), ServicePlan.compile(definition, endpoints.get(definition.name())));
      log.info("Registered service {} ({} operations)", definition.name(), definition.operations().size());
    }
    return registration;
  }

  public List<ServiceDefinition> services() {
    return services.values().stream().map(ServicePlan::definition)
        .sorted(java.util.Comparator.comparing(ServiceDefinition::name)).toList();
  }

  public Optional<ServiceDefinition> service(String name) {
    return Optional.ofNullable(services.get(name)).map(ServicePlan::definition);
  }

  /**
   * Calls an operation. For an asynchronous one, writes a fresh callback URL wherever its callback keys point,
   * persists the invocation (PENDING) before the first byte goes out, and returns the synchronous answer with the
   * invocation id. A non-2xx answer or a failed callout cancels the invocation with the reason.
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
    return invoker.invoke(service, operation, input, handler, callbackTimeout);
  }

  /** The framework-neutral callback endpoint; a web server passes it what follows its callback prefix. */
  public CallbackReceiver receiver() {
    return receiver;
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

  /** Cancels a PENDING invocation; returns false when it was not pending (or does not exist). */
  public boolean cancel(UUID invocationId, String reason) {
    var at = clock.instant();
    return store.finish(invocationId, InvocationStatus.CANCELLED, reason, at,
        new NewEvent(invocationId, at, "CANCELLED", "Cancelled: " + reason));
  }

  /**
   * Replays a stored callback that was not handled (failed, dead, or not handled): its handler runs again now,
   * as a sender's retry would run it. Returns the answer the handler's run gave, or empty when there is no such
   * callback or it was already handled.
   */
  public Optional<CallbackResponse> replayCallback(UUID callbackId) {
    var at = clock.instant();
    var row = store.callback(callbackId).orElse(null);
    if (row == null || !store.replayCallback(callbackId, at,
        new NewEvent(row.invocationId(), at, "CALLBACK_REPLAY", "Callback " + row.key() + " replayed"))) {
      return Optional.empty();
    }
    return Optional.of(worker.runBounded(store.callback(callbackId).orElseThrow()));
  }

  /** Processes due durable retries and recovers unfinished callbacks now (the worker does this every interval). */
  public int processDueCallbacks() {
    return worker.poll();
  }

  /**
   * Runs the handler again for a stored callback whose handler failed (FAILED, also dead) or declined it
   * (NOT_HANDLED), as if its sender had sent it again: 200 when handled now (the invocation completes), 404, 408 or
   * 500 as the receiver answers; 404 for an unknown callback, 409 for one that is handled or being handled.
   */
  public CallbackResponse retryCallback(UUID callbackId) {
    var row = store.callback(callbackId).orElse(null);
    if (row == null) {
      return CallbackResponse.of(404, "No callback " + callbackId);
    }
    if (row.outcome() == dev.extsvc.runtime.store.CallbackOutcome.HANDLED
        || row.outcome() == dev.extsvc.runtime.store.CallbackOutcome.RECEIVED) {
      return CallbackResponse.of(409, "Callback " + callbackId + " is " + row.outcome() + ", not failed");
    }
    return replayCallback(callbackId).orElseGet(() -> CallbackResponse.of(409, "Callback " + callbackId
        + " cannot be run again"));
  }

  /** Times out due invocations now (the sweeper does this every interval); returns how many. */
  public int sweepNow() {
    return sweeper.sweep();
  }

  public Store store() {
    return store;
  }

  public String publicBaseUrl() {
    return publicBaseUrl;
  }

  /**
   * Stops gracefully: new callbacks are answered 503 (senders retry later), callbacks being answered and handlers
   * running finish (up to 30 s), then the worker and sweeper stop. The store belongs to the caller and stays open.
   */
  @Override
  public void close() {
    receiver.drain(Duration.ofSeconds(30));
    worker.close(Duration.ofSeconds(30));
    sweeper.close();
  }

  /** The clock deadlines are measured with (the console shows time left by it). */
  public InstantSource clock() {
    return clock;
  }

  // --- shared with the package ---

  Handlers handlers() {
    return handlers;
  }

  CallbackWorker worker() {
    return worker;
  }

  Acknowledgement acknowledgement(String service, String operation) {
    Acknowledgement byOperation = acknowledgements.get(service + "#" + operation);
    return byOperation != null ? byOperation : acknowledgements.getOrDefault(service, Acknowledgement.SYNC);
  }

  Duration syncTimeout() {
    return syncTimeout;
  }

  Duration resolveCallbackTimeout(@Nullable Duration requested) {
    Duration t = requested == null ? defaultCallbackTimeout : requested;
    if (t.isNegative() || t.isZero()) {
      throw new ExtsvcException("callback timeout must be positive, was " + t);
    }
    if (t.compareTo(maxCallbackTimeout) > 0) {
      throw new ExtsvcException("callback timeout " + t + " exceeds the maximum " + maxCallbackTimeout);
    }
    return t;
  }

  ServicePlan plan(String service) {
    ServicePlan plan = services.get(service);
    if (plan == null) {
      throw new ExtsvcException("unknown service '" + service + "'; registered: " + services.keySet());
    }
    return plan;
  }

  @Nullable ServicePlan planOrNull(String service) {
    return services.get(service);
  }

  private void loadStoredServices() {
    for (ServiceRow row : store.services()) {
      Registration r = registrar.register(row.document(), row.name());
      if (r.service() == null) {
        log.warn("Stored service {} no longer registers: {}", row.name(), r.report().errors());
        continue;
      }
      services.put(row.name(), ServicePlan.compile(r.service(), endpoints.get(row.name())));
    }
  }

  private static String stripSlash(String url) {
    URI.create(url);
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** Builds {@link ExternalServices}; store and public base URL are required. */
  public static final class Builder {
    private @Nullable Store store;
    private @Nullable String publicBaseUrl;
    private @Nullable HttpClient httpClient;
    private InstantSource clock = InstantSource.system();
    private Registrar registrar = Registrar.defaults();
    private final Map<String, String> endpoints = new HashMap<>();
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
    private Duration recoveryGrace = DEFAULT_RECOVERY_GRACE;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration firstRetryDelay = Duration.ofSeconds(1);
    private Duration maxRetryDelay = Duration.ofMinutes(10);
    private int unknownTokenLimit = 60;

    private Builder() {}

    /** How callbacks of a service are acknowledged (default {@link Acknowledgement#SYNC}). */
    public Builder acknowledgement(String service, Acknowledgement mode) {
      acknowledgements.put(service, mode);
      return this;
    }

    /** How callbacks of one operation are acknowledged; wins over the service's setting. */
    public Builder acknowledgement(String service, String operation, Acknowledgement mode) {
      acknowledgements.put(service + "#" + operation, mode);
      return this;
    }

    /** How long a sender waits for a synchronous handler before it is answered 202 (default 10 s). */
    public Builder handlerTimeout(Duration timeout) {
      this.handlerTimeout = positive(timeout, "handlerTimeout");
      return this;
    }

    /** How long one handler run holds its invocation (default 2 min). */
    public Builder callbackLease(Duration lease) {
      this.callbackLease = positive(lease, "callbackLease");
      return this;
    }

    /** After how long a stored, unfinished callback is taken over by the worker (default 30 s). */
    public Builder recoveryGrace(Duration grace) {
      this.recoveryGrace = positive(grace, "recoveryGrace");
      return this;
    }

    /** Durable retries: attempts in all, the first delay, the longest delay (exponential, with jitter). */
    public Builder durableRetries(int attempts, Duration firstDelay, Duration maxDelay) {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be at least 1");
      }
      this.maxAttempts = attempts;
      this.firstRetryDelay = positive(firstDelay, "firstDelay");
      this.maxRetryDelay = positive(maxDelay, "maxDelay");
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

    public Builder store(Store store) {
      this.store = store;
      return this;
    }

    /** The URL under which callback senders reach this runtime's receiver, e.g. "https://hooks.example.com". */
    public Builder publicBaseUrl(String url) {
      this.publicBaseUrl = url;
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

    /** Where callouts of a service go (its base URL); by default the spec's first absolute server URL. */
    public Builder endpoint(String service, String baseUrl) {
      URI.create(baseUrl);
      endpoints.put(service, baseUrl);
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

    /** Whether to start the background sweeper (default true); tests may call {@link #sweepNow()} instead. */
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

    /** Allows every handler type in a package (and its sub-packages) to be re-created from the store. */
    public Builder allowHandlerPackage(String packageName) {
      handlerPackages.add(packageName);
      return this;
    }

    public Builder handlerFactory(HandlerFactory factory) {
      this.handlerFactory = factory;
      return this;
    }

    public ExternalServices build() {
      return new ExternalServices(this);
    }

    private static Duration positive(Duration d, String name) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }
  }

  static Map<String, String> orderedCopy(Map<String, String> m) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }
}
