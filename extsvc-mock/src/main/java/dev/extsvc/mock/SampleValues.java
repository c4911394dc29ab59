package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;

/** Plausible scalar values for a schema: strings by format, numbers that respect their bounds. */
final class SampleValues {
  private static final Map<String, String> BY_FORMAT =
      Map.ofEntries(
          Map.entry("date", "2025-01-15"),
          Map.entry("date-time", "2025-01-15T10:00:00Z"),
          Map.entry("time", "10:00:00Z"),
          Map.entry("duration", "PT1H"),
          Map.entry("uuid", "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"),
          Map.entry("email", "user@example.com"),
          Map.entry("uri", "https://example.com/"),
          Map.entry("url", "https://example.com/"),
          Map.entry("uri-reference", "/example"),
          Map.entry("hostname", "example.com"),
          Map.entry("ipv4", "192.0.2.1"),
          Map.entry("ipv6", "2001:db8::1"),
          Map.entry("byte", "c3RyaW5n"),
          Map.entry("password", "secret"));

  private SampleValues() {}

  static JsonNode string(JsonNode schema) {
    String value = BY_FORMAT.getOrDefault(schema.path("format").asText(""), "string");
    int min = schema.path("minLength").asInt(0);
    int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
    StringBuilder s = new StringBuilder(value);
    while (s.length() < min) {
      s.append('x');
    }
    if (s.length() > max) {
      s.setLength(Math.max(max, 0));
    }
    return TextNode.valueOf(s.toString());
  }

  static JsonNode integer(JsonNode schema) {
    long value = 0;
    if (schema.path("minimum").isNumber()) {
      value = (long) Math.ceil(schema.get("minimum").asDouble());
      // OpenAPI 3.0 writes exclusiveMinimum as a flag beside minimum.
      if (schema.path("exclusiveMinimum").asBoolean(false)
          && value == schema.get("minimum").asDouble()) {
        value++;
      }
    }
    if (schema.path("exclusiveMinimum").isNumber()) {
      value = Math.max(value, (long) Math.floor(schema.get("exclusiveMinimum").asDouble()) + 1);
    }
    if (schema.path("maximum").isNumber() && value > schema.get("maximum").asDouble()) {
      value = (long) Math.floor(schema.get("maximum").asDouble());
    }
    return LongNode.valueOf(value);
  }

  static JsonNode number(JsonNode schema) {
    double value = 0;
    if (schema.path("minimum").isNumber()) {
      value = schema.get("minimum").asDouble();
      if (schema.path("exclusiveMinimum").asBoolean(false)) {
        value += 1;
      }
    }
    if (schema.path("exclusiveMinimum").isNumber()) {
      value = Math.max(value, schema.get("exclusiveMinimum").asDouble() + 1);
    }
    if (schema.path("maximum").isNumber() && value > schema.get("maximum").asDouble()) {
      value = schema.get("maximum").asDouble();
    }
    return DoubleNode.valueOf(value);
  }
}
