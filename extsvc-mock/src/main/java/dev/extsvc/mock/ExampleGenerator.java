package dev.extsvc.mock;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Makes a value that a JSON Schema accepts, for answers and callbacks whose document gives no
 * example.
 *
 * <p>Registration inlines every {@code $ref} except those of recursive schemas, so this resolves
 * the few left against the document and stops at {@link #MAX_DEPTH}: below it objects keep only
 * required properties and arrays stay empty, which ends any recursion a valid document can express.
 */
final class ExampleGenerator {
  static final int MAX_DEPTH = 8;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final @Nullable JsonNode document;

  /**
   * @param document the whole OpenAPI document, to resolve local {@code $ref}s; null when there is
   *     none
   */
  ExampleGenerator(@Nullable JsonNode document) {
    this.document = document;
  }

  /**
   * Reads a JSON or YAML document leniently: a document that does not read only means refs stay
   * unresolved.
   */
  static ExampleGenerator forDocument(String text) {
    JsonNode root = null;
    try {
      root = new ObjectMapper().readTree(text);
    } catch (Exception notJson) {
      try {
        root = new YAMLMapper().readTree(text);
      } catch (Exception notYaml) {
        // unresolved refs generate null, which is all we could do anyway
      }
    }
    return new ExampleGenerator(root);
  }

  /** A value for the schema; JSON null for a missing schema or one that says nothing. */
  JsonNode generate(@Nullable JsonNode schema) {
    if (schema == null) {
      return NullNode.instance;
    }
    JsonNode value = generate(schema, 0);
    return value == null ? NullNode.instance : value;
  }

  /**
   * @return null when nothing can be produced at this depth (the caller leaves the value out)
   */
  private @Nullable JsonNode generate(JsonNode schema, int depth) {
    if (!schema.isObject()) {
      return schema.isBoolean() && !schema.asBoolean() ? null : NullNode.instance;
    }
    if (schema.has("$ref")) {
      JsonNode target = resolve(schema.get("$ref").asText());
      return target == null || depth >= MAX_DEPTH ? null : generate(target, depth + 1);
    }
    JsonNode given = given(schema);
    if (given != null) {
      return given.deepCopy();
    }
    if (schema.has("allOf") || schema.has("oneOf") || schema.has("anyOf")) {
      return generate(flatten(schema, 0), depth);
    }
    return switch (type(schema)) {
      case "object" -> object(schema, depth);
      case "array" -> array(schema, depth);
      case "string" -> SampleValues.string(schema);
      case "integer" -> SampleValues.integer(schema);
      case "number" -> SampleValues.number(schema);
      case "boolean" -> BooleanNode.TRUE;
      default -> NullNode.instance;
    };
  }

  /**
   * A value the schema states outright: example, examples, const, the first enum value, default.
   */
  private static @Nullable JsonNode given(JsonNode schema) {
    if (schema.has("example")) {
      return schema.get("example");
    }
    if (schema.path("examples").isArray() && !schema.get("examples").isEmpty()) {
      return schema.get("examples").get(0);
    }
    if (schema.has("const")) {
      return schema.get("const");
    }
    if (schema.path("enum").isArray() && !schema.get("enum").isEmpty()) {
      return schema.get("enum").get(0);
    }
    return schema.get("default");
  }

  /**
   * The declared type (the first non-null one of a 3.1 type list), else the one its keywords imply.
   */
  private static String type(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) {
      return type.asText();
    }
    if (type != null && type.isArray()) {
      for (JsonNode t : type) {
        if (!"null".equals(t.asText())) {
          return t.asText();
        }
      }
      return "null";
    }
    if (schema.has("properties") || schema.has("additionalProperties") || schema.has("required")) {
      return "object";
    }
    if (schema.has("items") || schema.has("prefixItems")) {
      return "array";
    }
    if (schema.has("format") || schema.has("minLength") || schema.has("pattern")) {
      return "string";
    }
    if (schema.has("minimum") || schema.has("maximum")) {
      return "number";
    }
    return "unknown";
  }

  private @Nullable JsonNode object(JsonNode schema, int depth) {
    Set<String> required = new HashSet<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    ObjectNode out = NODES.objectNode();
    for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
      if (depth >= MAX_DEPTH && !required.contains(p.getKey())) {
        continue;
      }
      JsonNode value = generate(p.getValue(), depth + 1);
      if (value != null) {
        out.set(p.getKey(), value);
      }
    }
    return out;
  }

  private JsonNode array(JsonNode schema, int depth) {
    ArrayNode out = NODES.arrayNode();
    if (depth >= MAX_DEPTH) {
      return out;
    }
    schema
        .path("prefixItems")
        .forEach(
            item -> {
              JsonNode value = generate(item, depth + 1);
              out.add(value == null ? NullNode.instance : value);
            });
    JsonNode items = schema.get("items");
    int count = Math.max(1, Math.min(schema.path("minItems").asInt(1), 10)) - out.size();
    for (int i = 0; items != null && i < count; i++) {
      JsonNode value = generate(items, depth + 1);
      if (value == null) {
        break;
      }
      out.add(value);
    }
    return out;
  }

  /**
   * One schema from a composition: {@code allOf} members are merged (properties and required lists
   * united), and {@code oneOf}/{@code anyOf} count as their first alternative merged the same way.
   */
  private JsonNode flatten(JsonNode schema, int depth) {
    ObjectNode merged = NODES.objectNode();
    ObjectNode properties = NODES.objectNode();
    ArrayNode required = NODES.arrayNode();
    mergeInto(merged, properties, required, schema, depth);
    if (!properties.isEmpty()) {
      merged.set("properties", properties);
    }
    if (!required.isEmpty()) {
      merged.set("required", required);
    }
    return merged;
  }

  private void mergeInto(
      ObjectNode merged, ObjectNode properties, ArrayNode required, JsonNode schema, int depth) {
    JsonNode s = schema;
    if (s.has("$ref") && depth < MAX_DEPTH) {
      JsonNode target = resolve(s.get("$ref").asText());
      s = target == null ? NODES.objectNode() : target;
    }
    for (Map.Entry<String, JsonNode> e : s.properties()) {
      switch (e.getKey()) {
        case "allOf" ->
            e.getValue()
                .forEach(member -> mergeInto(merged, properties, required, member, depth + 1));
        case "oneOf", "anyOf" -> {
          if (!e.getValue().isEmpty()) {
            mergeInto(merged, properties, required, e.getValue().get(0), depth + 1);
          }
        }
        case "properties" ->
            e.getValue().properties().forEach(p -> properties.set(p.getKey(), p.getValue()));
        case "required" ->
            e.getValue()
                .forEach(
                    r -> {
                      if (!contains(required, r.asText())) {
                        required.add(r.asText());
                      }
                    });
        case "$ref" -> {}
        default -> {
          if (!merged.has(e.getKey())) {
            merged.set(e.getKey(), e.getValue());
          }
        }
      }
    }
  }

  private static boolean contains(ArrayNode array, String text) {
    for (JsonNode n : array) {
      if (n.asText().equals(text)) {
        return true;
      }
    }
    return false;
  }

  private @Nullable JsonNode resolve(String ref) {
    if (document == null || !ref.startsWith("#")) {
      return null;
    }
    try {
      JsonNode target = document.at(JsonPointer.compile(ref.substring(1)));
      return target.isMissingNode() ? null : target;
    } catch (IllegalArgumentException badPointer) {
      return null;
    }
  }
}
