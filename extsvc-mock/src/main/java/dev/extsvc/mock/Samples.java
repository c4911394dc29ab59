package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.spec.ServiceDefinition;
import org.jspecify.annotations.Nullable;

/**
 * Values a schema of a service accepts, made the way the mock makes its answers and callbacks: for
 * a caller that plays the client side, such as the compatibility run building requests.
 */
public final class Samples {
  private final ExampleGenerator generator;

  private Samples(ExampleGenerator generator) {
    this.generator = generator;
  }

  /** Samples for the schemas of this service (its document resolves any {@code $ref} left). */
  public static Samples of(ServiceDefinition service) {
    return new Samples(ExampleGenerator.forDocument(service.document()));
  }

  /** A value the schema accepts; JSON null for a missing schema or one that says nothing. */
  public JsonNode value(@Nullable JsonNode schema) {
    return generator.generate(schema);
  }
}
