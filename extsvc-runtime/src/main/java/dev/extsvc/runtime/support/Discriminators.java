package dev.extsvc.runtime.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.spec.ComponentSchemas;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Rewrites each {@code oneOf}/{@code anyOf} with an OpenAPI {@code discriminator} into plain JSON
 * Schema that selects the member by the discriminating property's value: {@code if} the value is
 * one of a member's values {@code then} the body must match that member (and its errors are the
 * only ones reported), a value no member takes is refused, and a body without the property is
 * matched against the members as written.
 *
 * <p>A member's values, the rule the generated client follows too: the {@code mapping} keys that
 * name it; else the values its own discriminating property allows ({@code const}, or {@code enum});
 * else its component name (the implicit mapping). The validator's own discriminator support cannot
 * be used: it recognises members only by {@code $ref}, and the model's schemas have theirs inlined.
 */
final class Discriminators {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Members whose values are data, not schemas. */
  private static final Set<String> DATA =
      Set.of("enum", "const", "default", "example", "examples", "discriminator", "required");

  /** Members that map names to schemas: their names are not keywords. */
  private static final Set<String> NAMED =
      Set.of("properties", "patternProperties", "$defs", "definitions", "dependentSchemas");

  private final ComponentSchemas components;

  Discriminators(ComponentSchemas components) {
    this.components = components;
  }

  /** The schema with every discriminated union rewritten; the same node when it has none. */
  JsonNode rewrite(JsonNode schema) {
    return schema(schema);
  }

  private JsonNode schema(JsonNode node) {
    if (!node.isObject()) {
      return node;
    }
    ObjectNode copy = null;
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (DATA.contains(key) || key.startsWith("x-")) {
        continue;
      }
      JsonNode rewritten;
      if (NAMED.contains(key) && value.isObject()) {
        rewritten = named(value);
      } else if (value.isArray()) {
        rewritten = array(value);
      } else {
        rewritten = schema(value);
      }
      if (rewritten != value) {
        if (copy == null) {
          copy = ((ObjectNode) node).deepCopy();
        }
        copy.set(key, rewritten);
      }
    }
    JsonNode current = copy != null ? copy : node;
    String property = current.path("discriminator").path("propertyName").textValue();
    String union = current.path("oneOf").isArray() ? "oneOf" : "anyOf";
    if (property == null || !current.path(union).isArray() || current.path(union).isEmpty()) {
      return current;
    }
    return select((ObjectNode) current, union, property);
  }

  private JsonNode named(JsonNode map) {
    ObjectNode copy = null;
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      JsonNode rewritten = schema(e.getValue());
      if (rewritten != e.getValue()) {
        if (copy == null) {
          copy = ((ObjectNode) map).deepCopy();
        }
        copy.set(e.getKey(), rewritten);
      }
    }
    return copy != null ? copy : map;
  }

  private JsonNode array(JsonNode array) {
    ArrayNode copy = null;
    for (int i = 0; i < array.size(); i++) {
      JsonNode rewritten = schema(array.get(i));
      if (rewritten != array.get(i)) {
        if (copy == null) {
          copy = ((ArrayNode) array).deepCopy();
        }
        copy.set(i, rewritten);
      }
    }
    return copy != null ? copy : array;
  }

  /**
   * if (value in member 1's values) then member 1 else if ... else if (property present) then the
   * value must be a known one, else the union as written.
   */
  private JsonNode select(ObjectNode union, String keyword, String property) {
    List<JsonNode> members = new ArrayList<>();
    union.get(keyword).forEach(members::add);
    List<Set<String>> values = valuesOf(union.path("discriminator"), members, property);
    ObjectNode out = union.deepCopy();
    out.remove("discriminator");
    out.remove(keyword);
    Set<String> known = new LinkedHashSet<>();
    values.forEach(known::addAll);
    if (known.isEmpty()) {
      out.set(keyword, union.get(keyword)); // nothing to select by: the union as written
      return out;
    }
    ObjectNode fallback = F.objectNode();
    ObjectNode unknown = F.objectNode();
    unknown.putArray("required").add(property);
    ArrayNode allowed = unknown.putObject("properties").putObject(property).putArray("enum");
    known.forEach(allowed::add);
    ObjectNode last = F.objectNode();
    last.set("if", present(property));
    last.set("then", unknown);
    fallback.set(keyword, union.get(keyword));
    last.set("else", fallback);
    JsonNode chain = last;
    for (int i = members.size() - 1; i >= 0; i--) {
      Set<String> own = values.get(i);
      if (own.isEmpty()) {
        continue;
      }
      ObjectNode step = F.objectNode();
      ObjectNode condition = present(property);
      ArrayNode in = F.arrayNode();
      own.forEach(in::add);
      ((ObjectNode) condition.get("properties").get(property)).set("enum", in);
      step.set("if", condition);
      step.set("then", members.get(i));
      step.set("else", chain);
      chain = step;
    }
    ArrayNode all = out.has("allOf") ? (ArrayNode) out.get("allOf") : out.putArray("allOf");
    all.add(chain);
    return out;
  }

  /** {"required": [p], "properties": {p: {"type": "string"}}}. */
  private static ObjectNode present(String property) {
    ObjectNode condition = F.objectNode();
    condition.putArray("required").add(property);
    condition.putObject("properties").putObject(property).put("type", "string");
    return condition;
  }

  /** Each member's discriminating values, by the rule in the class comment. */
  private List<Set<String>> valuesOf(
      JsonNode discriminator, List<JsonNode> members, String property) {
    List<Set<String>> values = new ArrayList<>();
    List<@Nullable String> names = new ArrayList<>();
    for (JsonNode member : members) {
      values.add(new LinkedHashSet<>());
      names.add(nameOf(member));
    }
    discriminator
        .path("mapping")
        .properties()
        .forEach(
            e -> {
              String target = e.getValue().asText();
              String name = ComponentSchemas.nameOf(target);
              String wanted = name != null ? name : target;
              int at = names.indexOf(wanted);
              if (at >= 0) {
                values.get(at).add(e.getKey());
              }
            });
    for (int i = 0; i < members.size(); i++) {
      Set<String> own = values.get(i);
      if (!own.isEmpty()) {
        continue;
      }
      own.addAll(declaredValues(resolve(members.get(i)), property));
      String name = names.get(i);
      if (own.isEmpty() && name != null) {
        own.add(name);
      }
    }
    return values;
  }

  /**
   * The string values a member's discriminating property allows by {@code const} or {@code enum}.
   */
  private List<String> declaredValues(JsonNode member, String property) {
    List<String> found = new ArrayList<>();
    JsonNode p = member.path("properties").path(property);
    if (p.path("const").isTextual()) {
      found.add(p.get("const").textValue());
    }
    p.path("enum").forEach(v -> found.add(v.asText()));
    if (found.isEmpty()) {
      for (JsonNode part : member.path("allOf")) {
        found.addAll(declaredValues(resolve(part), property));
      }
    }
    return found;
  }

  private JsonNode resolve(JsonNode member) {
    String name = ComponentSchemas.nameOf(member.path("$ref").textValue());
    return name == null ? member : components.declared(name).orElse(member);
  }

  /**
   * The component a member is: named by its {@code $ref}, else the component whose inlined schema
   * it equals, else the one component with the same shape (type, property names, required).
   */
  private @Nullable String nameOf(JsonNode member) {
    String ref = ComponentSchemas.nameOf(member.path("$ref").textValue());
    if (ref != null) {
      return ref;
    }
    String alike = null;
    int alikeCount = 0;
    for (String name : components.names()) {
      JsonNode candidate = components.schema(name).orElse(null);
      if (candidate == null) {
        continue;
      }
      if (candidate.equals(member)) {
        return name;
      }
      if (shape(candidate).equals(shape(member))) {
        alike = name;
        alikeCount++;
      }
    }
    return alikeCount == 1 ? alike : null;
  }

  private static List<Object> shape(JsonNode schema) {
    Set<String> properties = new java.util.TreeSet<>();
    schema.path("properties").fieldNames().forEachRemaining(properties::add);
    Set<String> required = new java.util.TreeSet<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    return List.of(schema.path("type").toString(), properties, required);
  }
}
