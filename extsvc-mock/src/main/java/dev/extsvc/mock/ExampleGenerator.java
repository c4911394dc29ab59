package dev.extsvc.mock;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
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
  private final ExampleCheck check = new ExampleCheck(this::resolve);

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
    if (schema.path("discriminator").isObject()) {
      JsonNode chosen = discriminated(schema, depth);
      if (chosen != null) {
        return chosen;
      }
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
   * A value the schema states outright and accepts, the first of: example, examples, const, the
   * first enum value, default. A spec's example or default that breaks its own schema is passed
   * over (documents have them: a value outside the enum, a number where a string is wanted).
   */
  private @Nullable JsonNode given(JsonNode schema) {
    List<JsonNode> candidates = new ArrayList<>();
    candidates.add(schema.get("example"));
    if (schema.path("examples").isArray() && !schema.get("examples").isEmpty()) {
      candidates.add(schema.get("examples").get(0));
    }
    candidates.add(schema.get("const"));
    if (schema.path("enum").isArray() && !schema.get("enum").isEmpty()) {
      candidates.add(schema.get("enum").get(0));
    }
    candidates.add(schema.get("default"));
    for (JsonNode candidate : candidates) {
      if (candidate != null && check.violation(schema, candidate) == null) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * The spec's example when its schema accepts it, else a value generated from the schema: for a
   * media type's example, which documents also get wrong.
   */
  JsonNode exampleOrGenerate(@Nullable JsonNode example, @Nullable JsonNode schema) {
    if (example != null && (schema == null || check.violation(schema, example) == null)) {
      return example.deepCopy();
    }
    return generate(schema);
  }

  /** Why the value breaks the schema ({@code pointer: reason}), or null when it fits. */
  @Nullable String violation(JsonNode schema, JsonNode value) {
    return check.violation(schema, value);
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
    Set<String> required = new LinkedHashSet<>();
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
    // A required name that the properties do not declare (documents have them, e.g. a type name
    // written into the list by mistake) still has to be there: a value of the additional
    // properties' schema when it gives one, else a string, which no declared schema constrains.
    JsonNode additional = schema.get("additionalProperties");
    for (String name : required) {
      if (!out.has(name) && !schema.path("properties").has(name)) {
        JsonNode value =
            additional != null && additional.isObject() ? generate(additional, depth + 1) : null;
        out.set(name, value == null || value.isNull() ? TextNode.valueOf("string") : value);
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
   * A value for a schema with a {@code discriminator}: its first {@code oneOf}/{@code anyOf} member
   * (or, without members, the first schema its mapping names) merged with the schema's own
   * properties, the discriminating property set to a value that member allows: its own {@code
   * const} or first {@code enum} value, else the mapping's name for it, else its component name.
   * Null when the schema does not say enough to choose.
   */
  private @Nullable JsonNode discriminated(JsonNode schema, int depth) {
    JsonNode discriminator = schema.get("discriminator");
    String property = discriminator.path("propertyName").asText("");
    if (property.isEmpty() || depth >= MAX_DEPTH) {
      return null;
    }
    JsonNode members = schema.has("oneOf") ? schema.get("oneOf") : schema.get("anyOf");
    JsonNode member;
    String value;
    if (members != null && members.isArray() && !members.isEmpty()) {
      member = members.get(0);
      value = discriminatorValue(discriminator, member, property);
    } else {
      // inheritance: the schema is the base, its mapping names the concrete schemas
      Map.Entry<String, JsonNode> first = null;
      for (Map.Entry<String, JsonNode> m : discriminator.path("mapping").properties()) {
        first = m;
        break;
      }
      JsonNode target = first == null ? null : resolve(first.getValue().asText());
      if (first == null || target == null) {
        return null;
      }
      member = target;
      value = first.getKey();
    }
    ObjectNode base = schema.deepCopy();
    base.remove(List.of("oneOf", "anyOf", "discriminator"));
    ObjectNode both = NODES.objectNode();
    both.putArray("allOf").add(base).add(member);
    ObjectNode merged = (ObjectNode) flatten(both, 0);
    merged.remove("discriminator");
    JsonNode out = generate(merged, depth);
    if (out instanceof ObjectNode object && value != null) {
      JsonNode own = given(merged.path("properties").path(property));
      object.put(property, own != null && own.isTextual() ? own.asText() : value);
    }
    return out;
  }

  /** The discriminator value that selects {@code member}, or null when none can be told. */
  private @Nullable String discriminatorValue(
      JsonNode discriminator, JsonNode member, String property) {
    JsonNode shape = flatten(member, 0);
    JsonNode own = shape.path("properties").path(property);
    if (own.has("const") && own.get("const").isTextual()) {
      return own.get("const").asText();
    }
    if (own.path("enum").isArray() && !own.get("enum").isEmpty()) {
      return own.get("enum").get(0).asText();
    }
    String memberRef = member.path("$ref").asText("");
    String firstKey = null;
    for (Map.Entry<String, JsonNode> m : discriminator.path("mapping").properties()) {
      String ref = m.getValue().asText();
      firstKey = firstKey == null ? m.getKey() : firstKey;
      if (ref.equals(memberRef)) {
        return m.getKey();
      }
      // registration inlines $refs: the member is a copy of the mapped schema, found by shape
      JsonNode target = resolve(ref);
      if (target != null && sameShape(flatten(target, 0), shape)) {
        return m.getKey();
      }
    }
    if (!memberRef.isEmpty()) {
      return memberRef.substring(memberRef.lastIndexOf('/') + 1);
    }
    if (document != null) {
      for (Map.Entry<String, JsonNode> c :
          document.path("components").path("schemas").properties()) {
        if (sameShape(flatten(c.getValue(), 0), shape)) {
          return c.getKey();
        }
      }
    }
    return firstKey;
  }

  /** The same title when both have one, and the same property names. */
  private static boolean sameShape(JsonNode a, JsonNode b) {
    if (a.has("title") && b.has("title") && !a.get("title").equals(b.get("title"))) {
      return false;
    }
    Set<String> namesA = new HashSet<>();
    a.path("properties").fieldNames().forEachRemaining(namesA::add);
    Set<String> namesB = new HashSet<>();
    b.path("properties").fieldNames().forEachRemaining(namesB::add);
    return !namesA.isEmpty() && namesA.equals(namesB);
  }

  /**
   * The schema of a top-level property of an object schema (compositions merged), or null when it
   * declares none by that name.
   */
  @Nullable JsonNode propertySchema(@Nullable JsonNode schema, String name) {
    if (schema == null || !schema.isObject()) {
      return null;
    }
    JsonNode property = flatten(schema, 0).path("properties").get(name);
    return property != null && property.isObject() ? property : null;
  }

  /** The discriminating property names of a schema: values the mock must never overwrite. */
  static Set<String> discriminatorProperties(@Nullable JsonNode schema) {
    Set<String> names = new HashSet<>();
    if (schema != null) {
      String name = schema.path("discriminator").path("propertyName").asText("");
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
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
