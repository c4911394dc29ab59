package dev.extsvc.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The document's {@code components/schemas}, re-read from its text. Registration hands the generator schemas with
 * every {@code $ref} inlined, so their names are gone; this finds them again by comparing structure, so that a
 * schema used in five places becomes one type named as the spec author named it.
 */
final class Components {
  private static final String PREFIX = "#/components/schemas/";

  /** Resolved (refs inlined, recursion kept as $ref) component schemas, in document order. */
  private final Map<String, JsonNode> resolved = new LinkedHashMap<>();

  private final Map<JsonNode, String> byFingerprint = new LinkedHashMap<>();

  Components(String document) {
    JsonNode root = read(document);
    JsonNode schemas = root.path("components").path("schemas");
    Map<String, JsonNode> raw = new LinkedHashMap<>();
    schemas.fields().forEachRemaining(e -> raw.put(e.getKey(), e.getValue()));
    for (String name : raw.keySet()) {
      Deque<String> path = new ArrayDeque<>();
      path.push(name);
      JsonNode schema = inline(raw.get(name), raw, path);
      resolved.put(name, schema);
      if (Schemas.isNamedKind(schema)) {
        // First name wins when two components have the same structure: document order keeps it stable.
        byFingerprint.putIfAbsent(fingerprint(schema), name);
      }
    }
  }

  static Components none() {
    return new Components("{}");
  }

  private static JsonNode read(String document) {
    try {
      String trimmed = document.stripLeading();
      ObjectMapper mapper = trimmed.startsWith("{") ? new ObjectMapper() : new YAMLMapper();
      JsonNode root = mapper.readTree(document);
      return root == null ? JsonNodeFactory.instance.objectNode() : root;
    } catch (Exception e) {
      // The registrar already accepted the document; without readable components types are named by context.
      return JsonNodeFactory.instance.objectNode();
    }
  }

  Optional<JsonNode> schema(String name) {
    return Optional.ofNullable(resolved.get(name));
  }

  /** The component a resolved schema came from, when it is an object, enum or union worth a name. */
  Optional<String> nameOf(JsonNode schema) {
    if (!Schemas.isNamedKind(schema)) {
      return Optional.empty();
    }
    return Optional.ofNullable(byFingerprint.get(fingerprint(schema)));
  }

  /** "#/components/schemas/Pet" → "Pet"; null for refs that point elsewhere. */
  static @Nullable String refName(@Nullable String ref) {
    return ref != null && ref.startsWith(PREFIX) ? unescape(ref.substring(PREFIX.length())) : null;
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }

  private static JsonNode inline(JsonNode node, Map<String, JsonNode> raw, Deque<String> path) {
    if (node.isObject()) {
      String name = refName(node.path("$ref").textValue());
      if (name != null && raw.containsKey(name)) {
        if (path.contains(name)) {
          return node; // recursion: keep the reference, as registration does
        }
        path.push(name);
        JsonNode target = inline(raw.get(name), raw, path);
        path.pop();
        return target;
      }
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(e -> copy.set(e.getKey(), inline(e.getValue(), raw, path)));
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(e -> copy.add(inline(e, raw, path)));
      return copy;
    }
    return node;
  }

  /**
   * The structure of a schema, without what parsers are free to add, drop or rewrite (descriptions, examples,
   * nullable spellings, an implied "type": "object", allOf merged or not).
   */
  static JsonNode fingerprint(JsonNode schema) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (!schema.isObject()) {
      return schema;
    }
    ObjectNode merged = Schemas.mergeAllOf(schema);
    ObjectNode out = f.objectNode();
    TreeSet<String> types = new TreeSet<>();
    JsonNode type = merged.path("type");
    if (type.isTextual()) {
      types.add(type.textValue());
    } else if (type.isArray()) {
      type.forEach(t -> types.add(t.asText()));
    }
    types.remove("null");
    if (merged.has("properties")) {
      types.remove("object");
    }
    if (!types.isEmpty()) {
      ArrayNode t = out.putArray("type");
      types.forEach(t::add);
    }
    for (String key : new String[] {"format", "enum", "const", "$ref"}) {
      if (merged.has(key)) {
        out.set(key, merged.get(key));
      }
    }
    JsonNode properties = merged.path("properties");
    if (properties.isObject()) {
      ObjectNode p = out.putObject("properties");
      TreeSet<String> names = new TreeSet<>();
      properties.fieldNames().forEachRemaining(names::add);
      names.forEach(n -> p.set(n, fingerprint(properties.get(n))));
    }
    JsonNode required = merged.path("required");
    if (required.isArray() && !required.isEmpty()) {
      TreeSet<String> names = new TreeSet<>();
      required.forEach(r -> names.add(r.asText()));
      ArrayNode r = out.putArray("required");
      names.forEach(r::add);
    }
    if (merged.has("items")) {
      out.set("items", fingerprint(merged.get("items")));
    }
    if (merged.has("additionalProperties")) {
      out.set("additionalProperties", fingerprint(merged.get("additionalProperties")));
    }
    for (String key : new String[] {"oneOf", "anyOf"}) {
      if (merged.path(key).isArray()) {
        ArrayNode alternatives = out.putArray(key);
        merged.get(key).forEach(a -> alternatives.add(fingerprint(a)));
      }
    }
    if (merged.path("discriminator").has("propertyName")) {
      out.set("discriminator", merged.path("discriminator").path("propertyName"));
    }
    return out;
  }
}
