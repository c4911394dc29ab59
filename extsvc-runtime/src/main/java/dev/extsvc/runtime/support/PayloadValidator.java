package dev.extsvc.runtime.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.KeywordType;
import com.networknt.schema.path.PathType;
import dev.extsvc.spec.ComponentSchemas;
import java.util.List;

/**
 * A callback body schema compiled once, at registration, validating bodies into messages that say
 * where ("/status: ..."). OpenAPI 3.1 schemas are JSON Schema 2020-12 with the OpenAPI vocabulary;
 * 3.0 schemas use the OpenAPI 3.0 dialect ({@code nullable}), with {@code const} and {@code
 * if}/{@code then} added (the rewritten discriminators need them). A {@code discriminator} selects
 * the member by its property's value ({@link Discriminators}); a {@code $ref} left in the model (a
 * recursive schema) resolves to the document's component schemas; {@code format} is an annotation
 * unless format assertions are asked for.
 */
public final class PayloadValidator {
  private static final Dialect OPENAPI_30_DIALECT =
      Dialect.builder(Dialects.getOpenApi30())
          .keyword(KeywordType.CONST)
          .keyword(KeywordType.IF_THEN_ELSE)
          .build();
  private static final SchemaRegistry OPENAPI_30 = registry(OPENAPI_30_DIALECT, false);
  private static final SchemaRegistry OPENAPI_30_FORMATS = registry(OPENAPI_30_DIALECT, true);
  private static final SchemaRegistry OPENAPI_31 = registry(Dialects.getOpenApi31(), false);
  private static final SchemaRegistry OPENAPI_31_FORMATS = registry(Dialects.getOpenApi31(), true);

  /** A schema the validator cannot compile, with where in the schema when the validator says. */
  public static final class SchemaProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String pointer;

    SchemaProblem(String pointer, String message, Throwable cause) {
      super(message, cause);
      this.pointer = pointer;
    }

    /** A JSON pointer into the schema ("" for the schema itself). */
    public String pointer() {
      return pointer;
    }
  }

  private final Schema schema;

  private PayloadValidator(Schema schema) {
    this.schema = schema;
  }

  private static SchemaRegistry registry(Dialect dialect, boolean formatAssertions) {
    SchemaRegistryConfig config =
        SchemaRegistryConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .formatAssertionsEnabled(formatAssertions)
            .build();
    return SchemaRegistry.withDialect(dialect, b -> b.schemaRegistryConfig(config));
  }

  /** A schema without components, formats as annotations. */
  public static PayloadValidator compile(JsonNode schemaNode, String openApiVersion) {
    return compile(schemaNode, ComponentSchemas.none(), openApiVersion, false);
  }

  /**
   * Compiles a body schema of a document, resolving every reference now.
   *
   * @param components the document's component schemas, which a {@code $ref} left in the schema
   *     (recursion) names
   * @param formatAssertions whether a value that does not match its {@code format} is refused
   * @throws SchemaProblem when the validator cannot handle the schema
   */
  public static PayloadValidator compile(
      JsonNode schemaNode,
      ComponentSchemas components,
      String openApiVersion,
      boolean formatAssertions) {
    boolean v30 = openApiVersion.startsWith("3.0");
    SchemaRegistry registry =
        v30
            ? (formatAssertions ? OPENAPI_30_FORMATS : OPENAPI_30)
            : (formatAssertions ? OPENAPI_31_FORMATS : OPENAPI_31);
    Discriminators discriminators = new Discriminators(components);
    JsonNode root = discriminators.rewrite(schemaNode);
    if (root.isObject() && !components.names().isEmpty()) {
      // A $ref kept in the model ("#/components/schemas/Node") resolves inside this one document.
      ObjectNode withComponents = ((ObjectNode) root).deepCopy();
      ObjectNode schemas = withComponents.putObject("components").putObject("schemas");
      for (String name : components.names()) {
        components
            .declared(name)
            .ifPresent(declared -> schemas.set(name, discriminators.rewrite(declared)));
      }
      root = withComponents;
    }
    try {
      Schema schema = registry.getSchema(root.toString(), InputFormat.JSON);
      schema.initializeValidators();
      // A first run reaches what initialising leaves to the first body.
      schema.validate("{}", InputFormat.JSON);
      schema.validate("[]", InputFormat.JSON);
      return new PayloadValidator(schema);
    } catch (SchemaException e) {
      Error error = e.getError();
      String pointer = "";
      if (error != null && error.getSchemaLocation() != null) {
        String fragment = error.getSchemaLocation().getFragment().toString();
        pointer = fragment.startsWith("#") ? fragment.substring(1) : fragment;
      }
      throw new SchemaProblem(pointer, summary(e), e);
    } catch (RuntimeException | StackOverflowError e) {
      throw new SchemaProblem("", summary(e), e);
    }
  }

  /** The problems of a body already known to be well-formed JSON; empty when valid. */
  public List<String> validate(String json) {
    List<Error> errors = schema.validate(json, InputFormat.JSON);
    if (errors.isEmpty()) {
      return List.of(); // the usual answer, without a stream's set-up per body
    }
    return errors.stream().map(PayloadValidator::describe).distinct().limit(20).toList();
  }

  private static String describe(Error error) {
    String where = error.getInstanceLocation().toString();
    if (where.isEmpty()) {
      where = "/";
    }
    return where + ": " + error.getMessage();
  }

  private static String summary(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
