package dev.extsvc.runtime.registry;

import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.support.PayloadValidator;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.ServiceDefinition;
import dev.extsvc.spec.ServiceSecurity;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A registered service compiled for use: its operations' plans, what its operations ask for in
 * credentials, and the endpoint callouts go to (how they are made is the invoke stage's {@code
 * Outbound}).
 */
public record ServicePlan(
    ServiceDefinition definition,
    @Nullable String endpoint,
    Map<String, OperationPlan> operations,
    ServiceSecurity security) {

  /**
   * @param validators the body validators compiled at registration, by definition (identity)
   * @param configuredEndpoint the endpoint configured for the service, if any; without a path it
   *     gets the base path of the spec's first server URL ({@link ServiceDefinition#endpointFor})
   * @param specServers whether a service without a configured endpoint may be called at its spec's
   *     first absolute server URL (off by default: a registered document must not choose where the
   *     runtime connects)
   * @param configuredRoles callback roles configured for the service, by operation and key
   */
  static ServicePlan compile(
      ServiceDefinition definition,
      Map<CallbackDefinition, PayloadValidator> validators,
      @Nullable String configuredEndpoint,
      boolean specServers,
      Map<String, Map<String, CallbackRole>> configuredRoles) {
    Map<String, OperationPlan> plans = new LinkedHashMap<>();
    for (Operation op : definition.operations()) {
      plans.put(
          op.id(),
          OperationPlan.compile(op, validators, configuredRoles.getOrDefault(op.id(), Map.of())));
    }
    // an endpoint without a path serves the spec's paths under its first server's base path
    String endpoint =
        configuredEndpoint == null ? null : definition.endpointFor(configuredEndpoint);
    if (endpoint == null && specServers) {
      endpoint =
          definition.servers().stream()
              .filter(s -> s.startsWith("http://") || s.startsWith("https://"))
              .findFirst()
              .orElse(null);
    }
    if (endpoint != null && endpoint.endsWith("/")) {
      endpoint = endpoint.substring(0, endpoint.length() - 1);
    }
    return new ServicePlan(definition, endpoint, Map.copyOf(plans), ServiceSecurity.of(definition));
  }

  public String name() {
    return definition.name();
  }

  public Optional<OperationPlan> operation(String id) {
    return Optional.ofNullable(operations.get(id));
  }

  /** The operation's plan; an error naming the operations there are when it has none. */
  public OperationPlan requireOperation(String id) {
    return operation(id)
        .orElseThrow(
            () ->
                new ExtsvcException(
                    "unknown operation '"
                        + id
                        + "' of service "
                        + name()
                        + "; operations: "
                        + operations.keySet()));
  }
}
