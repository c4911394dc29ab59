package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Whether a scalar value certainly satisfies a property's schema, before the mock copies it from
 * the request or the answer into a callback: a value the schema might refuse is not copied (the
 * generated one stays), so any doubt (a composition, a reference, an unknown keyword's meaning)
 * answers no.
 */
final class SchemaFit {
  private SchemaFit() {}

  static boolean accepts(JsonNode schema, JsonNode value) {
    if (!schema.isObject() || !value.isValueNode()) {
      return false;
    }
    for (String unsure : new String[] {"$ref", "oneOf", "anyOf", "allOf", "not", "if"}) {
      if (schema.has(unsure)) {
        return false;
      }
    }
    if (schema.has("const")) {
      return schema.get("const").equals(value);
    }
    if (schema.has("enum")) {
      for (JsonNode allowed : schema.get("enum")) {
        if (allowed.equals(value)) {
          return true;
        }
      }
      return false;
    }
    if (value.isNull()) {
      return schema.path("nullable").asBoolean(false) || typeAllows(schema, "null");
    }
    String type =
        value.isTextual()
            ? "string"
            : value.isIntegralNumber() ? "integer" : value.isNumber() ? "number" : "boolean";
    boolean typed =
        typeAllows(schema, type) || (type.equals("integer") && typeAllows(schema, "number"));
    if (!typed) {
      return false;
    }
    return switch (type) {
      case "string" -> stringFits(schema, value.asText());
      case "integer", "number" -> numberFits(schema, value.asDouble());
      default -> true;
    };
  }

  /** A schema without a type allows nothing here: we do not guess what it meant. */
  private static boolean typeAllows(JsonNode schema, String type) {
    JsonNode declared = schema.get("type");
    if (declared == null) {
      return false;
    }
    if (declared.isTextual()) {
      return declared.asText().equals(type);
    }
    for (JsonNode t : declared) {
      if (t.asText().equals(type)) {
        return true;
      }
    }
    return false;
  }

  private static boolean stringFits(JsonNode schema, String s) {
    int length = s.codePointCount(0, s.length());
    if (length < schema.path("minLength").asInt(0)
        || length > schema.path("maxLength").asInt(Integer.MAX_VALUE)) {
      return false;
    }
    if (schema.has("pattern")) {
      try {
        if (!Pattern.compile(schema.get("pattern").asText()).matcher(s).find()) {
          return false;
        }
      } catch (PatternSyntaxException e) {
        return false;
      }
    }
    return formatFits(schema.path("format").asText(""), s);
  }

  private static boolean formatFits(String format, String s) {
    try {
      switch (format) {
        case "date-time" -> OffsetDateTime.parse(s);
        case "date" -> LocalDate.parse(s);
        case "uuid" -> {
          if (s.length() != 36) {
            return false;
          }
          UUID.fromString(s);
        }
        case "email" -> {
          return s.indexOf('@') > 0 && s.indexOf('@') < s.length() - 1;
        }
        case "uri", "url" -> {
          return s.matches("[A-Za-z][A-Za-z0-9+.-]*:\\S*");
        }
        default -> {
          return true;
        }
      }
      return true;
    } catch (DateTimeParseException | IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean numberFits(JsonNode schema, double n) {
    JsonNode min = schema.get("minimum");
    JsonNode max = schema.get("maximum");
    boolean exclusiveMin30 = schema.path("exclusiveMinimum").asBoolean(false);
    boolean exclusiveMax30 = schema.path("exclusiveMaximum").asBoolean(false);
    if (min != null
        && min.isNumber()
        && (exclusiveMin30 ? n <= min.asDouble() : n < min.asDouble())) {
      return false;
    }
    if (max != null
        && max.isNumber()
        && (exclusiveMax30 ? n >= max.asDouble() : n > max.asDouble())) {
      return false;
    }
    JsonNode exMin = schema.get("exclusiveMinimum");
    JsonNode exMax = schema.get("exclusiveMaximum");
    if (exMin != null && exMin.isNumber() && n <= exMin.asDouble()) {
      return false;
    }
    return exMax == null || !exMax.isNumber() || n < exMax.asDouble();
  }
}
