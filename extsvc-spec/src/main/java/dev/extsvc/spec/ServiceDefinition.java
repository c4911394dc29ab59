package dev.extsvc.spec;

import java.util.List;
import java.util.Optional;

/**
 * A registered service: the immutable model of one OpenAPI document.
 *
 * @param name from {@code info.title}, or the name given at registration
 * @param servers the document's server URLs, in order (may be relative, such as "/")
 * @param document the document's text as registered
 * @param components the document's component schemas by name, inlined as the operations' schemas
 *     are: what a code generator reads to name its types
 */
public record ServiceDefinition(
    String name,
    String version,
    String openApiVersion,
    List<String> servers,
    List<Operation> operations,
    String document,
    ComponentSchemas components) {

  public ServiceDefinition {
    servers = List.copyOf(servers);
    operations = List.copyOf(operations);
  }

  /** A service without component schemas: a model built by hand rather than registered. */
  public ServiceDefinition(
      String name,
      String version,
      String openApiVersion,
      List<String> servers,
      List<Operation> operations,
      String document) {
    this(name, version, openApiVersion, servers, operations, document, ComponentSchemas.none());
  }

  public Optional<Operation> operation(String id) {
    return operations.stream().filter(o -> o.id().equals(id)).findFirst();
  }
}
