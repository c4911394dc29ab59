package dev.extsvc.spec;

import java.util.Objects;

/**
 * A correlation rule given outside the document (configuration, the Java builder) for one callback
 * key of one operation of a service, for documents the user cannot edit.
 *
 * @param service the service name as registered
 * @param operation the operationId (or the name extsvc makes up when there is none)
 * @param key the callback key
 */
public record CorrelationRule(
    String service, String operation, String key, Correlation correlation) {
  public CorrelationRule {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(correlation, "correlation");
  }
}
