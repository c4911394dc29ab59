package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Whether a spec's own example breaks its schema, so the mock generates a value instead of sending
 * it: documents give examples that their schemas refuse (a value outside an enum, an integer where
 * a string is wanted), and the runtime, validating as the spec says, refuses such a callback.
 *
 * <p>It reports only a certain violation of the keywords it knows (type, nullable, enum, const,
 * required, properties, additionalProperties false, items, string lengths and pattern, number
 * bounds, allOf; anyOf/oneOf when no member fits); formats stay annotations, as in the runtime. The
 * mock may not use the runtime's validator (its main code depends on the spec module only), so this
 * is a small check of its own, and a keyword it does not judge never discards an example.
 */
final class ExampleCheck {
  private static final int MAX_DEPTH = 32;

  private final Function<String, @Nullable JsonNode> refs;

  /**
   * @param refs resolves a {@code $ref} left in a schema (recursive schemas keep theirs), null when
   *     it cannot
   */
  ExampleCheck(Function<String, @Nullable JsonNode> refs) {
    this.refs = refs;
  }

  /** The first violation found, as {@code pointer: reason}, or null when the value fits. */
  @Nullable String violation(JsonNode schema, JsonNode value) {
    return violation(schema, value, "", 0);
  }

  private @Nullable String violation(JsonNode schema, JsonNode value, String at, int depth) {
    if (!schema.isObject() || depth > MAX_DEPTH) {
      return schema.isBoolean() && !schema.asBoolean() ? at + ": no value allowed" : null;
    }
    if (schema.has("$ref")) {
      JsonNode target = refs.apply(schema.get("$ref").asText());
      return target == null ? null : violation(target, value, at, depth + 1);
    }
    if (value.isNull() && schema.path("nullable").asBoolean(false)) {
      return null;
    }
    if (schema.has("const") && !schema.get("const").equals(value)) {
      return at + ": not the const " + schema.get("const");
    }
    if (schema.path("enum").isArray() && !contains(schema.get("enum"), value)) {
      return at + ": " + value + " is not in the enum " + schema.get("enum");
    }
    String typeProblem = typeViolation(schema, value, at);
    if (typeProblem != null) {
      return typeProblem;
    }
    String own =
        value.isObject()
            ? objectViolation(schema, value, at, depth)
            : value.isArray()
                ? arrayViolation(schema, value, at, depth)
                : value.isTextual()
                    ? stringViolation(schema, value.asText(), at)
                    : value.isNumber() ? numberViolation(schema, value.asDouble(), at) : null;
    if (own != null) {
      return own;
    }
    for (JsonNode member : schema.path("allOf")) {
      String problem = violation(member, value, at, depth + 1);
      if (problem != null) {
        return problem;
      }
    }
    for (String alternatives : new String[] {"anyOf", "oneOf"}) {
      JsonNode members = schema.get(alternatives);
      if (members == null || !members.isArray() || members.isEmpty()) {
        continue;
      }
      String first = null;
      for (JsonNode member : members) {
        String problem = violation(member, value, at, depth + 1);
        if (problem == null) {
          first = null;
          break;
        }
        first = first == null ? problem : first;
      }
      if (first != null) {
        return at + ": fits no member of " + alternatives + " (" + first + ")";
      }
    }
    return null;
  }

  private static @Nullable String typeViolation(JsonNode schema, JsonNode value, String at) {
    JsonNode declared = schema.get("type");
    if (declared == null) {
      return null;
    }
    String actual =
        value.isNull()
            ? "null"
            : value.isObject()
                ? "object"
                : value.isArray()
                    ? "array"
                    : value.isTextual()
                        ? "string"
                        : value.isBoolean() ? "boolean" : isIntegral(value) ? "integer" : "number";
    Set<String> allowed = new HashSet<>();
    if (declared.isTextual()) {
      allowed.add(declared.asText());
    } else {
      declared.forEach(t -> allowed.add(t.asText()));
    }
    boolean fits =
        allowed.contains(actual) || (actual.equals("integer") && allowed.contains("number"));
    return fits ? null : at + ": " + actual + " where " + declared + " is wanted";
  }

  /** 2.0 is an integer to JSON Schema. */
  private static boolean isIntegral(JsonNode number) {
    return number.isIntegralNumber() || number.asDouble() == Math.rint(number.asDouble());
  }

  private @Nullable String objectViolation(JsonNode schema, JsonNode value, String at, int depth) {
    for (JsonNode name : schema.path("required")) {
      if (!value.has(name.asText())) {
        return at + ": required property '" + name.asText() + "' missing";
      }
    }
    JsonNode properties = schema.path("properties");
    boolean closed =
        schema.path("additionalProperties").isBoolean()
            && !schema.get("additionalProperties").asBoolean();
    for (Map.Entry<String, JsonNode> member : value.properties()) {
      JsonNode property = properties.get(member.getKey());
      String path = at + "/" + member.getKey();
      if (property != null) {
        String problem = violation(property, member.getValue(), path, depth + 1);
        if (problem != null) {
          return problem;
        }
      } else if (closed && !schema.has("patternProperties")) {
        return path + ": not a declared property";
      } else if (schema.path("additionalProperties").isObject()) {
        String problem =
            violation(schema.get("additionalProperties"), member.getValue(), path, depth + 1);
        if (problem != null) {
          return problem;
        }
      }
    }
    return null;
  }

  private @Nullable String arrayViolation(JsonNode schema, JsonNode value, String at, int depth) {
    if (value.size() < schema.path("minItems").asInt(0)
        || value.size() > schema.path("maxItems").asInt(Integer.MAX_VALUE)) {
      return at + ": " + value.size() + " items, outside the bounds";
    }
    JsonNode items = schema.get("items");
    if (items == null || !items.isObject() || schema.has("prefixItems")) {
      return null;
    }
    for (int i = 0; i < value.size(); i++) {
      String problem = violation(items, value.get(i), at + "/" + i, depth + 1);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static @Nullable String stringViolation(JsonNode schema, String s, String at) {
    int length = s.codePointCount(0, s.length());
    if (length < schema.path("minLength").asInt(0)
        || length > schema.path("maxLength").asInt(Integer.MAX_VALUE)) {
      return at + ": length " + length + " outside the bounds";
    }
    if (schema.path("pattern").isTextual()) {
      try {
        if (!Pattern.compile(schema.get("pattern").asText()).matcher(s).find()) {
          return at + ": does not match the pattern";
        }
      } catch (PatternSyntaxException notJava) {
        // a pattern Java cannot read is not judged here
      }
    }
    return null;
  }

  private static @Nullable String numberViolation(JsonNode schema, double n, String at) {
    JsonNode min = schema.get("minimum");
    JsonNode max = schema.get("maximum");
    // OpenAPI 3.0 writes exclusiveMinimum/Maximum as flags beside minimum/maximum, 3.1 as numbers.
    boolean exclusiveMin = schema.path("exclusiveMinimum").asBoolean(false);
    boolean exclusiveMax = schema.path("exclusiveMaximum").asBoolean(false);
    boolean below =
        min != null && min.isNumber() && (exclusiveMin ? n <= min.asDouble() : n < min.asDouble());
    boolean above =
        max != null && max.isNumber() && (exclusiveMax ? n >= max.asDouble() : n > max.asDouble());
    JsonNode exMin = schema.get("exclusiveMinimum");
    JsonNode exMax = schema.get("exclusiveMaximum");
    below |= exMin != null && exMin.isNumber() && n <= exMin.asDouble();
    above |= exMax != null && exMax.isNumber() && n >= exMax.asDouble();
    return below || above ? at + ": " + n + " outside the bounds" : null;
  }

  private static boolean contains(JsonNode array, JsonNode value) {
    for (JsonNode allowed : array) {
      if (allowed.equals(value)
          || (allowed.isNumber() && value.isNumber() && allowed.asDouble() == value.asDouble())) {
        return true;
      }
    }
    return false;
  }
}
