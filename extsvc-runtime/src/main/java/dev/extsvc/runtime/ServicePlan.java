package dev.extsvc.runtime;

import dev.extsvc.spec.Operation;
import dev.extsvc.spec.ServiceDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A registered service compiled for use: its operations' plans and the endpoint callouts go to. */
record ServicePlan(ServiceDefinition definition, @Nullable String endpoint, Map<String, OperationPlan> operations) {

  static ServicePlan compile(ServiceDefinition definition, @Nullable String configuredEndpoint) {
    Map<String, OperationPlan> plans = new LinkedHashMap<>();
    for (Operation op : definition.operations()) {
      plans.put(op.id(), OperationPlan.compile(op, definition.openApiVersion()));
    }
    String endpoint = configuredEndpoint;
    if (endpoint == null) {
      endpoint = definition.servers().stream().filter(s -> s.startsWith("http://") || s.startsWith("https://"))
          .findFirst().orElse(null);
    }
    if (endpoint != null && endpoint.endsWith("/")) {
      endpoint = endpoint.substring(0, endpoint.length() - 1);
    }
    return new ServicePlan(definition, endpoint, Map.copyOf(plans));
  }

  String name() {
    return definition.name();
  }

  Optional<OperationPlan> operation(String id) {
    return Optional.ofNullable(operations.get(id));
  }
}
