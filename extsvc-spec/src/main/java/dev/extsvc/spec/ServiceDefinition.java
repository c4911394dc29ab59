package dev.extsvc.spec;

import java.util.List;
import java.util.Optional;

/**
 * A registered service: the immutable model of one OpenAPI document.
 *
 * @param name from {@code info.title}, or the name given at registration
 * @param servers the document's server URLs, in order (may be relative, such as "/")
 * @param document the document's text as registered
 */
public record ServiceDefinition(
    String name,
    String version,
    String openApiVersion,
    List<String> servers,
    List<Operation> operations,
    String document) {

  public ServiceDefinition {
    servers = List.copyOf(servers);
    operations = List.copyOf(operations);
  }

  public Optional<Operation> operation(String id) {
    return operations.stream().filter(o -> o.id().equals(id)).findFirst();
  }
}
