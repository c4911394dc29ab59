package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Makes a value valid for a JSON schema, preferring the schema's own examples; depth-limited for recursion. */
final class SampleValues {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 8;

  private SampleValues() {}

  static JsonNode of(@Nullable JsonNode schema) {
    return of(schema, 0);
  }

  private static JsonNode of(@Nullable JsonNode schema, int depth) {
    if (schema == null || !schema.isObject() || depth > MAX_DEPTH) {
      return F.nullNode();
    }
    for (String example : new String[] {"example", "const", "default"}) {
      if (schema.has(example)) {
        return schema.get(example).deepCopy();
      }
    }
    if (schema.path("examples").isArray() && !schema.path("examples").isEmpty()) {
      return schema.get("examples").get(0).deepCopy();
    }
    if (schema.path("enum").isArray() && !schema.path("enum").isEmpty()) {
      return schema.get("enum").get(0).deepCopy();
    }
    if (schema.path("allOf").isArray()) {
      ObjectNode merged = F.objectNode();
      for (JsonNode part : schema.get("allOf")) {
        JsonNode v = of(part, depth + 1);
        if (v.isObject()) {
          merged.setAll((ObjectNode) v);
        }
      }
      if (schema.has("properties")) {
        merged.setAll(object(schema, depth));
      }
      return merged;
    }
    for (String choice : new String[] {"oneOf", "anyOf"}) {
      if (schema.path(choice).isArray() && !schema.path(choice).isEmpty()) {
        return of(schema.get(choice).get(0), depth + 1);
      }
    }
    String type = type(schema);
    return switch (type) {
      case "object" -> object(schema, depth);
      case "array" -> {
        ArrayNode a = F.arrayNode();
        int n = Math.max(1, schema.path("minItems").asInt(1));
        for (int i = 0; i < Math.min(n, 3); i++) {
          a.add(of(schema.get("items"), depth + 1));
        }
        yield a;
      }
      case "integer" -> F.numberNode(schema.has("minimum") ? (long) Math.ceil(schema.get("minimum").asDouble()) : 1L);
      case "number" -> F.numberNode(schema.has("minimum") ? schema.get("minimum").asDouble() : 1.5);
      case "boolean" -> F.booleanNode(true);
      case "null" -> F.nullNode();
      default -> F.textNode(string(schema));
    };
  }

  private static ObjectNode object(JsonNode schema, int depth) {
    ObjectNode o = F.objectNode();
    JsonNode props = schema.path("properties");
    for (Map.Entry<String, JsonNode> p : props.properties()) {
      o.set(p.getKey(), of(p.getValue(), depth + 1));
    }
    return o;
  }

  private static String type(JsonNode schema) {
    JsonNode t = schema.get("type");
    if (t != null && t.isTextual()) {
      return t.asText();
    }
    if (t != null && t.isArray()) {
      for (JsonNode each : t) {
        if (!each.asText().equals("null")) {
          return each.asText();
        }
      }
    }
    if (schema.has("properties") || schema.has("additionalProperties")) {
      return "object";
    }
    if (schema.has("items")) {
      return "array";
    }
    return "string";
  }

  private static String string(JsonNode schema) {
    String s = switch (schema.path("format").asText("")) {
      case "date" -> "2026-01-31";
      case "date-time" -> "2026-01-31T12:00:00Z";
      case "uuid" -> "3fa85f64-5717-4562-b3fc-2c963f66afa6";
      case "email" -> "someone@example.com";
      case "uri", "url" -> "https://example.com/";
      case "byte" -> "c3RyaW5n";
      default -> "string";
    };
    int min = schema.path("minLength").asInt(0);
    StringBuilder b = new StringBuilder(s);
    while (b.length() < min) {
      b.append('x');
    }
    int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
    return b.length() > max ? b.substring(0, max) : b.toString();
  }
}
