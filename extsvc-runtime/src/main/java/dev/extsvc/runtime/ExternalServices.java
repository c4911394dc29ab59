package dev.extsvc.runtime;

import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.invoke.Invoker;
import dev.extsvc.runtime.process.Acknowledgements;
import dev.extsvc.runtime.process.CallbackWorker;
import dev.extsvc.runtime.process.Handlers;
import dev.extsvc.runtime.receive.CallbackIntake;
import dev.extsvc.runtime.registry.Registry;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.support.SecretNames;
import dev.extsvc.runtime.timeout.Sweeper;
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

  /** A callback stored this long ago and still not finished is taken to have lost its process. */
  public static final Duration DEFAULT_RECOVERY_GRACE = Duration.ofSeconds(30);

  public static final int DEFAULT_MAX_ATTEMPTS = 8;

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
  private final CallbackReceiver receiver;
  private final CallbackWorker worker;
  private final Sweeper sweeper;

  private ExternalServices(
      Store store,
      InstantSource clock,
      Supplier<String> publicBaseUrl,
      String callbackPath,
      Registry registry,
      Invoker invoker,
      CallbackReceiver receiver,
      CallbackWorker worker,
      Sweeper sweeper) {
    this.store = store;
    this.clock = clock;
    this.publicBaseUrl = publicBaseUrl;
    this.callbackPath = callbackPath;
    this.registry = registry;
    this.invoker = invoker;
    this.receiver = receiver;
    this.worker = worker;
    this.sweeper = sweeper;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers (or replaces) a service from an OpenAPI document. When the report has errors nothing
   * is registered.
   *
   * @param name the service name, or null to take the document's {@code info.title}
   */
  public Registration register(String document, @Nullable String name) {
    return registry.register(document, name);
  }

  /**
   * For each operation of a registered service, the credentials its spec asks for and whether the
   * service's configured credentials cover them.
   */
  public List<CredentialCheck> credentialChecks(String service) {
    return invoker.credentialChecks(registry.plan(service));
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
    return invoker.invoke(registry.plan(service), operation, input, handler, callbackTimeout);
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

  /** Cancels a PENDING invocation; returns false when it was not pending (or does not exist). */
  public boolean cancel(UUID invocationId, String reason) {
    var at = clock.instant();
    return store.finish(
        invocationId,
        InvocationStatus.CANCELLED,
        reason,
        at,
        new NewEvent(invocationId, at, EventKind.CANCELLED, "Cancelled: " + reason));
  }

  /**
   * Replays a stored callback whose handler failed (FAILED, also dead) or declined it
   * (NOT_HANDLED): its handler runs again now, as if its sender had sent it again. Answers 200 when
   * handled now (the invocation completes), 404, 408 or 500 as the receiver would; 404 for an
   * unknown callback, 409 for one that is handled or being handled.
   */
  public CallbackResponse replay(UUID callbackId) {
    return worker.replay(callbackId);
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
   * Stops gracefully: new callbacks are answered 503 (senders retry later), callbacks being
   * answered and handlers running finish (up to 30 s), then the worker and sweeper stop. The store
   * belongs to the caller and stays open.
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
    private final List<String> trustedProxies = new ArrayList<>();
    private final List<String> maskedNames = new ArrayList<>();
    private StorageQuotas storageQuotas = StorageQuotas.DEFAULTS;
    private final Map<String, List<String>> webhookSecrets = new HashMap<>();

    private Builder() {}

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

    /** After how long a stored, unfinished callback is taken over by the worker (default 30 s). */
    public Builder recoveryGrace(Duration grace) {
      this.recoveryGrace = positive(grace, "recoveryGrace");
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
      Store store = Objects.requireNonNull(this.store, "store is required");
      Supplier<String> baseUrl =
          Objects.requireNonNull(this.publicBaseUrl, "publicBaseUrl is required");
      Supplier<String> stripped = () -> stripSlash(baseUrl.get());
      Map<String, ServiceSettings> settings = Map.copyOf(this.settings);
      Handlers handlers = new Handlers(handlerTypes, handlerPackages, handlerFactory);
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
                  secretNames));
      Registry registry =
          new Registry(
              new Registry.Context(
                  store,
                  clock,
                  registrar,
                  name -> configuredEndpoint(settings.get(name)),
                  specServers,
                  invoker::credentialChecks));
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
                  recoveryGrace,
                  sweepInterval));
      CallbackIntake intake =
          new CallbackIntake(
              new CallbackIntake.Context(
                  store,
                  clock,
                  limits,
                  unknownTokenLimit,
                  registry::planOrNull,
                  acks,
                  Map.copyOf(webhookSecrets),
                  worker,
                  List.copyOf(trustedProxies),
                  secretNames,
                  storageQuotas));
      Sweeper sweeper =
          new Sweeper(new Sweeper.Context(store, clock, handlers::recreate, sweepInterval));
      registry.load();
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
              sweeper);
      if (startSweeper) {
        sweeper.start();
        worker.start();
      }
      return services;
    }

    private static Duration positive(Duration d, String name) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }
  }
}
