package dev.extsvc.runtime.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.PathType;
import java.util.List;

/**
 * A callback body schema compiled once (at an operation's first callback), validating bodies into
 * messages that say where ("/status: ...").
 */
public final class PayloadValidator {
  private static final SchemaRegistryConfig CONFIG =
      SchemaRegistryConfig.builder()
          .pathType(PathType.JSON_POINTER)
          .formatAssertionsEnabled(true)
          .build();
  private static final SchemaRegistry OPENAPI_30 =
      SchemaRegistry.withDialect(Dialects.getOpenApi30(), b -> b.schemaRegistryConfig(CONFIG));
  private static final SchemaRegistry OPENAPI_31 =
      SchemaRegistry.withDialect(Dialects.getOpenApi31(), b -> b.schemaRegistryConfig(CONFIG));

  private final Schema schema;

  private PayloadValidator(Schema schema) {
    this.schema = schema;
  }

  public static PayloadValidator compile(JsonNode schemaNode, String openApiVersion) {
    SchemaRegistry registry = openApiVersion.startsWith("3.0") ? OPENAPI_30 : OPENAPI_31;
    return new PayloadValidator(registry.getSchema(schemaNode.toString(), InputFormat.JSON));
  }

  /** The problems of a body already known to be well-formed JSON; empty when valid. */
  public List<String> validate(String json) {
    List<Error> errors = schema.validate(json, InputFormat.JSON);
    return errors.stream().map(PayloadValidator::describe).distinct().limit(20).toList();
  }

  private static String describe(Error error) {
    String where = error.getInstanceLocation().toString();
    if (where.isEmpty()) {
      where = "/";
    }
    return where + ": " + error.getMessage();
  }
}
