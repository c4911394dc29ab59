package dev.extsvc.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Questions about a JSON Schema that both OpenAPI 3.0 and 3.1 spell in more than one way. */
final class Schemas {
  private Schemas() {}

  /** The first non-null "type", from "type": "x" or "type": ["x", "null"]; null when absent. */
  static @Nullable String type(JsonNode schema) {
    JsonNode type = schema.path("type");
    if (type.isTextual()) {
      return type.textValue();
    }
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (!"null".equals(t.asText())) {
          return t.asText();
        }
      }
    }
    return null;
  }

  /** 3.0's nullable, 3.1's "null" type, or a null alternative of oneOf/anyOf. */
  static boolean nullable(JsonNode schema) {
    if (schema.path("nullable").asBoolean(false)) {
      return true;
    }
    JsonNode type = schema.path("type");
    if (type.isTextual() && "null".equals(type.textValue())) {
      return true;
    }
    if (type.isArray()) {
      for (JsonNode t : type) {
        if ("null".equals(t.asText())) {
          return true;
        }
      }
    }
    for (String key : new String[] {"oneOf", "anyOf"}) {
      for (JsonNode alternative : schema.path(key)) {
        if (isNullType(alternative)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean isNullType(JsonNode schema) {
    return "null".equals(schema.path("type").textValue());
  }

  /**
   * The alternatives of a oneOf or anyOf, without the "null" ones (which only make it nullable).
   */
  static List<JsonNode> alternatives(JsonNode schema) {
    JsonNode list = schema.has("oneOf") ? schema.get("oneOf") : schema.path("anyOf");
    List<JsonNode> out = new ArrayList<>();
    list.forEach(
        a -> {
          if (!isNullType(a)) {
            out.add(a);
          }
        });
    return out;
  }

  /** Whether a schema deserves a named Java type (and so may be recognised as a component). */
  static boolean isNamedKind(JsonNode schema) {
    return isObject(schema) || isEnum(schema) || schema.has("oneOf") || schema.has("anyOf");
  }

  /** An object with declared properties (directly or through allOf): a record. */
  static boolean isObject(JsonNode schema) {
    if (!schema.isObject()) {
      return false;
    }
    JsonNode merged = schema.has("allOf") ? mergeAllOf(schema) : schema;
    return merged.path("properties").isObject() && !merged.path("properties").isEmpty();
  }

  /** A string or an integer enum: a Java enum. */
  static boolean isEnum(JsonNode schema) {
    return isStringEnum(schema) || isIntegerEnum(schema);
  }

  /**
   * An enum of integers (status codes, Bungie's and Azure's numbered kinds), with no other type
   * allowed.
   */
  static boolean isIntegerEnum(JsonNode schema) {
    JsonNode values = schema.path("enum");
    String type = type(schema);
    if (!values.isArray() || values.isEmpty() || type != null && !type.equals("integer")) {
      return false;
    }
    boolean any = false;
    for (JsonNode v : values) {
      if (v.canConvertToExactIntegral() && v.canConvertToLong()) {
        any = true;
      } else if (!v.isNull()) {
        return false;
      }
    }
    return any;
  }

  static boolean isStringEnum(JsonNode schema) {
    JsonNode values = schema.path("enum");
    if (!values.isArray() || values.isEmpty()) {
      return false;
    }
    boolean anyString = false;
    for (JsonNode v : values) {
      if (v.isTextual()) {
        anyString = true;
      } else if (!v.isNull()) {
        return false;
      }
    }
    return anyString;
  }

  /**
   * Folds allOf into one object schema: properties and required of every part, the outer schema's
   * own keywords last. Java records cannot extend each other, so composition becomes one flat
   * record.
   */
  static ObjectNode mergeAllOf(JsonNode schema) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    if (!schema.isObject()) {
      return out;
    }
    ObjectNode properties = JsonNodeFactory.instance.objectNode();
    Set<String> required = new LinkedHashSet<>();
    List<JsonNode> parts = new ArrayList<>();
    schema.path("allOf").forEach(p -> parts.add(p.has("allOf") ? mergeAllOf(p) : p));
    parts.add(schema);
    for (JsonNode part : parts) {
      part.fields()
          .forEachRemaining(
              e -> {
                switch (e.getKey()) {
                  case "allOf" -> {}
                  case "properties" ->
                      e.getValue()
                          .fields()
                          .forEachRemaining(p -> properties.set(p.getKey(), p.getValue()));
                  case "required" -> e.getValue().forEach(r -> required.add(r.asText()));
                  default -> {
                    // The outer schema's own description and title win; a part's only fill gaps.
                    if (part == schema || !out.has(e.getKey())) {
                      out.set(e.getKey(), e.getValue());
                    }
                  }
                }
              });
    }
    if (!properties.isEmpty()) {
      out.set("properties", properties);
    }
    if (!required.isEmpty()) {
      ArrayNode r = out.putArray("required");
      required.forEach(r::add);
    }
    return out;
  }

  /**
   * The single value a property can take (const, or an enum of one), e.g. a discriminator's; else
   * null.
   */
  static @Nullable String constant(JsonNode schema) {
    if (schema.path("const").isTextual()) {
      return schema.get("const").textValue();
    }
    JsonNode values = schema.path("enum");
    return values.isArray() && values.size() == 1 && values.get(0).isTextual()
        ? values.get(0).textValue()
        : null;
  }

  static @Nullable String text(JsonNode schema, String keyword) {
    JsonNode v = schema.path(keyword);
    return v.isTextual() && !v.textValue().isBlank() ? v.textValue() : null;
  }
}
