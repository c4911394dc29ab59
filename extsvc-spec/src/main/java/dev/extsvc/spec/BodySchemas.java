package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Questions about inlined JSON schemas that registration asks: is a place declared, which constants
 * are fixed.
 */
final class BodySchemas {
  /**
   * Keywords that describe rather than constrain; two schemas differing only in these accept the
   * same payloads.
   */
  private static final Set<String> ANNOTATIONS =
      Set.of(
          "description",
          "title",
          "example",
          "examples",
          "deprecated",
          "readOnly",
          "writeOnly",
          "externalDocs",
          "$comment");

  private BodySchemas() {}

  /**
   * Why {@code pointer} is not a declared string place in {@code schema}, or null when it is (or
   * when the schema is too open to tell: free-form objects, recursion).
   */
  static @Nullable String undeclared(JsonNode schema, String pointer) {
    JsonNode current = schema;
    String at = "";
    for (String token : JsonPointers.tokens(pointer)) {
      List<JsonNode> alternatives = alternatives(current);
      JsonNode next = null;
      boolean closed = false;
      for (JsonNode s : alternatives) {
        if (JsonPointers.isIndex(token) || token.equals("-")) {
          next = next != null ? next : s.get("items");
          closed |= s.has("properties") || "object".equals(s.path("type").asText());
        } else {
          JsonNode property = s.path("properties").get(token);
          next = next != null ? next : property;
          if (next == null && s.path("additionalProperties").isObject()) {
            next = s.get("additionalProperties");
          }
          closed |=
              s.has("properties")
                  || s.path("additionalProperties").isBoolean()
                      && !s.get("additionalProperties").asBoolean();
        }
      }
      at = JsonPointers.append(at, token);
      if (next == null) {
        return closed
            ? "the request body schema does not declare "
                + at
                + "; the runtime writes the URL there anyway"
            : null;
      }
      current = next;
    }
    String type = typeOf(current);
    if (type != null && !type.contains("string")) {
      return "the request body schema declares "
          + pointer
          + " as "
          + type
          + ", but the runtime writes a URL (a string) there";
    }
    return null;
  }

  /**
   * Whether {@code schema} names every step of {@code pointer} explicitly: a property, or items for
   * an index.
   */
  static boolean declares(JsonNode schema, String pointer) {
    JsonNode current = schema;
    for (String token : JsonPointers.tokens(pointer)) {
      JsonNode next = null;
      for (JsonNode s : alternatives(current)) {
        JsonNode step =
            JsonPointers.isIndex(token) || token.equals("-")
                ? s.get("items")
                : s.path("properties").get(token);
        if (step != null) {
          next = step;
          break;
        }
      }
      if (next == null) {
        return false;
      }
      current = next;
    }
    return true;
  }

  /**
   * The schema and the members of its allOf, anyOf and oneOf: any of them may declare a property.
   */
  private static List<JsonNode> alternatives(JsonNode schema) {
    List<JsonNode> out = new ArrayList<>();
    collect(schema, out, 0);
    return out;
  }

  private static void collect(JsonNode schema, List<JsonNode> out, int depth) {
    if (!schema.isObject() || depth > 8) {
      return;
    }
    out.add(schema);
    for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
      schema.path(combinator).forEach(member -> collect(member, out, depth + 1));
    }
  }

  private static @Nullable String typeOf(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type == null) {
      return null;
    }
    return type.isArray() ? type.toString() : type.asText();
  }

  /** Top-level properties fixed to one value by {@code const} or an {@code enum} of one. */
  static Map<String, JsonNode> constants(@Nullable JsonNode schema) {
    Map<String, JsonNode> out = new HashMap<>();
    if (schema == null) {
      return out;
    }
    for (JsonNode s : alternatives(schema)) {
      s.path("properties")
          .properties()
          .forEach(
              e -> {
                JsonNode property = e.getValue();
                if (property.has("const")) {
                  out.putIfAbsent(e.getKey(), property.get("const"));
                } else if (property.path("enum").isArray() && property.get("enum").size() == 1) {
                  out.putIfAbsent(e.getKey(), property.get("enum").get(0));
                }
              });
    }
    return out;
  }

  /** The schema without annotations, to compare what two schemas accept. */
  static @Nullable JsonNode withoutAnnotations(@Nullable JsonNode schema) {
    if (schema == null || !schema.isContainerNode()) {
      return schema;
    }
    JsonNode copy = schema.deepCopy();
    strip(copy);
    return copy;
  }

  /** Keywords whose value is a map from names to schemas: the names are data, never annotations. */
  private static final Set<String> SCHEMA_MAPS =
      Set.of("properties", "patternProperties", "$defs", "definitions", "dependentSchemas");

  /** Keywords whose values are data. */
  private static final Set<String> DATA = Set.of("enum", "const", "default");

  private static void strip(JsonNode node) {
    if (node.isObject()) {
      ((ObjectNode) node).remove(ANNOTATIONS);
      node.properties()
          .forEach(
              e -> {
                if (SCHEMA_MAPS.contains(e.getKey())) {
                  e.getValue().forEach(BodySchemas::strip);
                } else if (!DATA.contains(e.getKey())) {
                  strip(e.getValue());
                }
              });
    } else if (node.isArray()) {
      node.forEach(BodySchemas::strip);
    }
  }
}
