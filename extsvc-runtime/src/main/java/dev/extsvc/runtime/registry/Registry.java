package dev.extsvc.runtime.registry;

import dev.extsvc.runtime.CredentialCheck;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.Report;
import dev.extsvc.spec.ServiceDefinition;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live set of registered services, each compiled once into a {@link ServicePlan}: registration
 * saves the document to the store, {@link #load()} compiles the stored ones again at start, so a
 * new runtime on the same store takes the callbacks of invocations an old one made.
 */
public final class Registry {
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
   */
  public record Context(
      Store store,
      InstantSource clock,
      Registrar registrar,
      Function<String, @Nullable String> endpoints,
      boolean specServers,
      CredentialCoverage coverage,
      boolean formatAssertions) {}

  private final Context context;
  private final Map<String, ServicePlan> services = new ConcurrentHashMap<>();

  public Registry(Context context) {
    this.context = context;
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
    context
        .store()
        .saveService(
            new ServiceRow(
                definition.name(), definition.version(), document, context.clock().instant()));
    ServicePlan plan = compile(checks);
    services.put(definition.name(), plan);
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
    if (unmet.isEmpty()) {
      return registration;
    }
    List<Diagnostic> all = new ArrayList<>(registration.report().diagnostics());
    all.addAll(unmet);
    return new Registration(definition, new Report(all));
  }

  /**
   * Compiles the services stored by earlier runs; one that no longer registers is skipped with a
   * warning.
   */
  public void load() {
    for (ServiceRow row : context.store().services()) {
      Registration r = context.registrar().register(row.document(), row.name());
      if (r.service() == null) {
        log.warn("Stored service {} no longer registers: {}", row.name(), r.report().errors());
        continue;
      }
      PayloadChecks checks = PayloadChecks.of(r.service(), context.formatAssertions());
      checks
          .findings()
          .forEach(d -> log.warn("Service {}: {} (#{})", row.name(), d.message(), d.pointer()));
      services.put(row.name(), compile(checks));
    }
  }

  public List<ServiceDefinition> services() {
    return services.values().stream()
        .map(ServicePlan::definition)
        .sorted(Comparator.comparing(ServiceDefinition::name))
        .toList();
  }

  public Optional<ServiceDefinition> service(String name) {
    return Optional.ofNullable(services.get(name)).map(ServicePlan::definition);
  }

  /** The plan of a registered service; fails naming the registered ones. */
  public ServicePlan plan(String service) {
    ServicePlan plan = services.get(service);
    if (plan == null) {
      throw new ExtsvcException(
          "unknown service '" + service + "'; registered: " + services.keySet());
    }
    return plan;
  }

  /** The plan of a registered service, or null (a callback of a service since dropped). */
  public @Nullable ServicePlan planOrNull(String service) {
    return services.get(service);
  }

  private ServicePlan compile(PayloadChecks checks) {
    ServiceDefinition definition = checks.definition();
    return ServicePlan.compile(
        definition,
        checks.validators(),
        context.endpoints().apply(definition.name()),
        context.specServers());
  }
}
