package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.ResponseDefinition;
import org.jspecify.annotations.Nullable;

/**
 * An operation's synchronous answer, worked out once when the mock is built: its first 2xx response
 * (else {@code default}), with the example or a generated value as body.
 *
 * @param body null when the response declares no body
 */
record MockOperation(Operation operation, int status, @Nullable JsonNode body, String contentType) {

  static MockOperation of(Operation op, ExampleGenerator generator) {
    ResponseDefinition chosen = null;
    for (ResponseDefinition r : op.responses().values()) {
      if (r.status().startsWith("2")) {
        chosen = r;
        break;
      }
    }
    if (chosen == null) {
      chosen = op.responses().get("default");
    }
    if (chosen == null) {
      return new MockOperation(op, 200, null, "application/json");
    }
    int status = chosen.status().matches("\\d{3}") ? Integer.parseInt(chosen.status()) : 200;
    JsonNode body = null;
    if (status != 204 && status != 304) {
      if (chosen.example() != null) {
        body = chosen.example();
      } else if (chosen.schema() != null) {
        body = generator.generate(chosen.schema());
      }
    }
    String type = chosen.mediaType() == null ? "application/json" : chosen.mediaType();
    return new MockOperation(op, status, body, type);
  }

  /** Whether the body goes out as JSON text rather than as the plain text of a string example. */
  boolean json() {
    return contentType.contains("json") || body == null || !body.isTextual();
  }
}
