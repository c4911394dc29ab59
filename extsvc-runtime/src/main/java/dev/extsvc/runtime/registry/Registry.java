package dev.extsvc.runtime.registry;

import dev.extsvc.runtime.CredentialCheck;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.Report;
import dev.extsvc.spec.ServiceDefinition;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live set of registered services, each compiled once into a {@link ServicePlan}: registration
 * saves the document to the store, {@link #load()} compiles the stored ones again at start, so a
 * new runtime on the same store takes the callbacks of invocations an old one made.
 *
 * <p>Several nodes share one store: once {@link #start() started}, the registry follows what the
 * others register, replace and remove, told by the store ({@link Store#watchServices}, PostgreSQL's
 * {@code LISTEN/NOTIFY}) and, as a fallback, by comparing {@link Store#servicesVersion()} every
 * check interval. A service or operation asked for and not known here is looked up in the store
 * first, so a callback is never refused because this node has not heard of its service yet.
 */
public final class Registry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Registry.class);

  /**
   * What registration asks of the invoke stage: whether a service's credentials cover each
   * operation's.
   */
  @FunctionalInterface
  public interface CredentialCoverage {
    List<CredentialCheck> check(ServicePlan plan);
  }

  /**
   * What the registry needs, fixed by the builder.
   *
   * @param endpoints the configured endpoint of a service, or null
   * @param specServers whether a service without an endpoint may be called at its spec's first
   *     server
   * @param formatAssertions whether callback bodies are refused for values that do not match their
   *     schema's {@code format} (else formats are annotations)
   * @param callbackRoles the callback roles configured for a service, by operation and key
   */
  public record Context(
      Store store,
      InstantSource clock,
      Registrar registrar,
      Function<String, @Nullable String> endpoints,
      boolean specServers,
      CredentialCoverage coverage,
      Duration checkInterval,
      boolean formatAssertions,
      Function<String, Map<String, Map<String, CallbackRole>>> callbackRoles) {}

  /** A compiled service and the stored document it was compiled from. */
  private record Loaded(ServicePlan plan, String document) {}

  private final Context context;
  private final Map<String, Loaded> services = new ConcurrentHashMap<>();

  /** Serialises changes to {@link #services}, so a refresh never puts back what was replaced. */
  private final Object changes = new Object();

  /** The store's services version last loaded (null before the first check). */
  private @Nullable Long loadedVersion;

  /** Whether the services stored at start were loaded (later loads are other nodes' changes). */
  private boolean loaded;

  private final ScheduledExecutorService checker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "extsvc-registry");
            t.setDaemon(true);
            return t;
          });
  private volatile Store.@Nullable Watch watch;

  public Registry(Context context) {
    this.context = context;
  }

  /**
   * Follows the other nodes' changes: the store's notifications, and a version check every check
   * interval.
   */
  public void start() {
    long every = context.checkInterval().toMillis();
    checker.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
    watch = context.store().watchServices(() -> checker.execute(this::refreshQuietly));
  }

  @Override
  public void close() {
    Store.Watch w = watch;
    if (w != null) {
      w.close();
    }
    checker.shutdownNow();
  }

  /**
   * Registers (or replaces) a service from an OpenAPI document, adding a warning per operation
   * whose credentials the service lacks. When the report has errors nothing is registered.
   */
  public Registration register(String document, @Nullable String name) {
    Registration registered = context.registrar().register(document, name);
    if (registered.service() == null) {
      return registered;
    }
    // Validators are compiled now: a schema they cannot handle is a finding, not a 500 later.
    PayloadChecks checks = PayloadChecks.of(registered.service(), context.formatAssertions());
    ServiceDefinition definition = checks.definition();
    Registration registration = registered;
    if (!checks.findings().isEmpty()) {
      List<Diagnostic> all = new ArrayList<>(registered.report().diagnostics());
      all.addAll(checks.findings());
      registration = new Registration(definition, new Report(all));
      checks
          .findings()
          .forEach(
              d -> log.warn("Service {}: {} (#{})", definition.name(), d.message(), d.pointer()));
    }
    ServicePlan plan = compile(checks);
    synchronized (changes) {
      context
          .store()
          .saveService(
              new ServiceRow(
                  definition.name(), definition.version(), document, context.clock().instant()));
      services.put(definition.name(), new Loaded(plan, document));
    }
    log.info(
        "Registered service {} ({} operations)", definition.name(), definition.operations().size());
    List<Diagnostic> unmet = new ArrayList<>();
    for (CredentialCheck c : context.coverage().check(plan)) {
      if (!c.satisfied()) {
        String pointer = definition.operation(c.operation()).map(o -> o.pointer()).orElse("");
        unmet.add(
            Diagnostic.warning(
                pointer,
                "operation "
                    + c.operation()
                    + " needs "
                    + c.expects()
                    + ", but service "
                    + definition.name()
                    + " has no matching credential: calls to it will be refused"));
        log.warn(
            "Operation {} of {} needs {}, but the service has no matching credential",
            c.operation(),
            definition.name(),
            c.expects());
      }
    }
    List<Diagnostic> roles = unknownRoles(definition);
    roles.forEach(d -> log.warn("Service {}: {}", definition.name(), d.message()));
    unmet.addAll(roles);
    return withMore(registration, definition, unmet);
  }

  /**
   * Compiles the services stored by earlier runs; one that no longer registers is skipped with a
   * warning.
   */
  public void load() {
    synchronized (changes) {
      reload(); // the version is read by the first check: one read of the services at start
      loaded = true;
    }
  }

  /**
   * Removes a service here and from the store (every node follows); false when it was not
   * registered.
   */
  public boolean remove(String name) {
    synchronized (changes) {
      boolean stored = context.store().removeService(name);
      boolean here = services.remove(name) != null;
      if (stored || here) {
        log.info("Removed service {}", name);
      }
      return stored || here;
    }
  }

  /**
   * Brings the services up to date with the store when its version moved: new and replaced ones
   * compiled, removed ones dropped; returns whether anything was read.
   */
  public boolean refresh() {
    synchronized (changes) {
      long version = context.store().servicesVersion(); // read first: a later change moves it again
      Long loaded = loadedVersion;
      if (loaded != null && loaded == version) {
        return false;
      }
      reload();
      loadedVersion = version;
      return true;
    }
  }

  /** Reads every stored service: new and replaced ones compiled, removed ones dropped. */
  private void reload() {
    Set<String> stored = new HashSet<>();
    for (ServiceRow row : context.store().services()) {
      stored.add(row.name());
      adopt(row);
    }
    for (String name : List.copyOf(services.keySet())) {
      if (!stored.contains(name)) {
        services.remove(name);
        log.info("Service {} was removed by another node", name);
      }
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (StoreUnavailableException e) {
      log.warn("Services not refreshed: store unavailable ({})", e.getMessage());
    } catch (RuntimeException e) {
      log.error("Services not refreshed", e);
    }
  }

  /** Compiles a stored service unless the same document is loaded already; null when refused. */
  private @Nullable ServicePlan adopt(ServiceRow row) {
    Loaded current = services.get(row.name());
    if (current != null && current.document().equals(row.document())) {
      return current.plan();
    }
    Registration r = context.registrar().register(row.document(), row.name());
    if (r.service() == null) {
      log.warn("Stored service {} no longer registers: {}", row.name(), r.report().errors());
      return null;
    }
    PayloadChecks checks = PayloadChecks.of(r.service(), context.formatAssertions());
    checks
        .findings()
        .forEach(d -> log.warn("Service {}: {} (#{})", row.name(), d.message(), d.pointer()));
    ServicePlan plan = compile(checks);
    services.put(row.name(), new Loaded(plan, row.document()));
    if (loaded) {
      log.info("Loaded service {} as stored by another node", row.name());
    }
    return plan;
  }

  /**
   * The service as stored now, compiled here if this node has another document or none; null when
   * the store has none.
   */
  private @Nullable ServicePlan fromStore(String name) {
    synchronized (changes) {
      Optional<ServiceRow> row = context.store().service(name);
      if (row.isEmpty()) {
        return null;
      }
      return adopt(row.get());
    }
  }

  public List<ServiceDefinition> services() {
    return services.values().stream()
        .map(l -> l.plan().definition())
        .sorted(Comparator.comparing(ServiceDefinition::name))
        .toList();
  }

  public Optional<ServiceDefinition> service(String name) {
    return Optional.ofNullable(plan(name, null)).map(ServicePlan::definition);
  }

  /** The plan of a registered service; fails naming the registered ones. */
  public ServicePlan plan(String service) {
    ServicePlan plan = plan(service, null);
    if (plan == null) {
      throw new ExtsvcException(
          "unknown service '" + service + "'; registered: " + new TreeSet<>(services.keySet()));
    }
    return plan;
  }

  /**
   * The plan of a registered service that has the operation (any plan when {@code operation} is
   * null), or null (a callback of a service since removed). A service or operation this node does
   * not know is looked up in the store first: another node may have registered or replaced it.
   */
  public @Nullable ServicePlan plan(String service, @Nullable String operation) {
    Loaded loaded = services.get(service);
    if (loaded != null && (operation == null || loaded.plan().operation(operation).isPresent())) {
      return loaded.plan();
    }
    ServicePlan stored = fromStore(service);
    return stored != null && (operation == null || stored.operation(operation).isPresent())
        ? stored
        : null;
  }

  /**
   * The progress and heartbeat keys of an operation with their roles; empty when all its keys are
   * final, or the service or operation is not known (a callback of it then completes it, as
   * before).
   */
  public Map<String, CallbackRole> progressKeys(String service, String operation) {
    ServicePlan plan = plan(service, operation);
    return plan == null
        ? Map.of()
        : plan.operation(operation).map(OperationPlan::progressKeys).orElse(Map.of());
  }

  private ServicePlan compile(PayloadChecks checks) {
    ServiceDefinition definition = checks.definition();
    return ServicePlan.compile(
        definition,
        checks.validators(),
        context.endpoints().apply(definition.name()),
        context.specServers(),
        context.callbackRoles().apply(definition.name()));
  }

  /**
   * The configured callback roles that name an operation or key the document does not declare, as
   * warnings: such a setting does nothing.
   */
  private List<Diagnostic> unknownRoles(ServiceDefinition definition) {
    List<Diagnostic> out = new ArrayList<>();
    context
        .callbackRoles()
        .apply(definition.name())
        .forEach(
            (op, byKey) -> {
              var operation = definition.operation(op).orElse(null);
              for (String key : byKey.keySet()) {
                if (operation == null
                    || operation.callbacks().stream().noneMatch(d -> d.key().equals(key))) {
                  out.add(
                      Diagnostic.warning(
                          operation == null ? "" : operation.pointer(),
                          "a callback role is configured for "
                              + (operation == null ? "operation " + op : "key " + key)
                              + " of service "
                              + definition.name()
                              + (operation == null ? "" : " operation " + op)
                              + ", which the document does not declare; it has no effect"));
                }
              }
            });
    return out;
  }

  /** The registration's diagnostics with more added at the end. */
  private static Registration withMore(
      Registration registration, ServiceDefinition definition, List<Diagnostic> more) {
    if (more.isEmpty()) {
      return registration;
    }
    List<Diagnostic> all = new ArrayList<>(registration.report().diagnostics());
    all.addAll(more);
    return new Registration(definition, new Report(all));
  }
}
