package dev.extsvc.runtime;

import dev.extsvc.spec.Operation;
import dev.extsvc.spec.ServiceDefinition;
import dev.extsvc.spec.ServiceSecurity;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A registered service compiled for use: its operations' plans, what its operations ask for in credentials, the
 * endpoint callouts go to and how they are made.
 */
record ServicePlan(
    ServiceDefinition definition,
    @Nullable String endpoint,
    Map<String, OperationPlan> operations,
    ServiceSecurity security,
    Outbound outbound) {

  /**
   * @param specServers whether a service without a configured endpoint may be called at its spec's first absolute
   *     server URL (off by default: a registered document must not choose where the runtime connects)
   */
  static ServicePlan compile(ServiceDefinition definition, Outbound outbound, boolean specServers) {
    Map<String, OperationPlan> plans = new LinkedHashMap<>();
    for (Operation op : definition.operations()) {
      plans.put(op.id(), OperationPlan.compile(op, definition.openApiVersion()));
    }
    String endpoint = outbound.endpoint();
    if (endpoint == null && specServers) {
      endpoint = definition.servers().stream().filter(s -> s.startsWith("http://") || s.startsWith("https://"))
          .findFirst().orElse(null);
    }
    if (endpoint != null && endpoint.endsWith("/")) {
      endpoint = endpoint.substring(0, endpoint.length() - 1);
    }
    return new ServicePlan(definition, endpoint, Map.copyOf(plans), ServiceSecurity.of(definition), outbound);
  }

  String name() {
    return definition.name();
  }

  Optional<OperationPlan> operation(String id) {
    return Optional.ofNullable(operations.get(id));
  }
}
