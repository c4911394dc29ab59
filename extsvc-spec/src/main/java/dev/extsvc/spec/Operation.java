package dev.extsvc.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One operation of a service. It is asynchronous when it declares callbacks.
 *
 * @param id the operationId, or a name made from method and path when the document has none
 * @param method upper case: GET, POST, ...
 * @param pointer JSON pointer of the operation in the document, e.g. "/paths/~1applications/post"
 * @param responses by status, in document order
 */
public record Operation(
    String id,
    String method,
    String path,
    String pointer,
    @Nullable String summary,
    @Nullable String description,
    List<Parameter> parameters,
    @Nullable RequestBody requestBody,
    Map<String, ResponseDefinition> responses,
    List<CallbackDefinition> callbacks) {

  public Operation {
    parameters = List.copyOf(parameters);
    responses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(responses));
    callbacks = List.copyOf(callbacks);
  }

  public boolean async() {
    return !callbacks.isEmpty();
  }

  /** The distinct callback keys in declaration order. */
  public List<String> callbackKeys() {
    return callbacks.stream().map(CallbackDefinition::key).distinct().toList();
  }

  public Optional<Parameter> parameter(ParameterLocation in, String name) {
    return parameters.stream().filter(p -> p.in() == in && p.name().equals(name)).findFirst();
  }
}
