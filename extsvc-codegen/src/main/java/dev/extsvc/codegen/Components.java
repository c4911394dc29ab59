package dev.extsvc.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.spec.ComponentSchemas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Names for schemas, from the registered component schemas ({@link ComponentSchemas}). The
 * operations' schemas in the model have every {@code $ref} inlined; this finds the components in
 * them by comparing structure, so that a schema used in five places becomes one type named as the
 * spec author named it, and components of one structure become one type.
 */
final class Components {
  private final ComponentSchemas schemas;

  private final Map<String, String> byFingerprint = new LinkedHashMap<>();

  /**
   * Fingerprints by node identity. Inlined schemas share the subtrees of the components they refer
   * to, so a schema is a graph that may be far larger written out than in memory; each node is
   * fingerprinted once.
   */
  private final Map<JsonNode, String> fingerprints = new IdentityHashMap<>();

  Components(ComponentSchemas schemas) {
    this.schemas = schemas;
    for (String name : schemas.names()) {
      JsonNode schema = schemas.schema(name).orElseThrow();
      if (Schemas.isNamedKind(schema)) {
        // First name wins when two components have the same structure: document order keeps it
        // stable.
        byFingerprint.putIfAbsent(fingerprint(schema), name);
      }
    }
  }

  Optional<JsonNode> schema(String name) {
    return schemas.schema(name);
  }

  /**
   * The components that extend {@code name} through {@code allOf: [{$ref: name}, ...]}, in document
   * order, when {@code name} itself declares a discriminator: inheritance, which Java spells as a
   * sealed interface.
   */
  List<String> subtypesOf(String name) {
    JsonNode parent = schemas.declared(name).orElse(null);
    if (parent == null || !parent.path("discriminator").path("propertyName").isTextual()) {
      return List.of();
    }
    List<String> children = new ArrayList<>();
    for (String child : schemas.names()) {
      for (JsonNode part : schemas.declared(child).orElseThrow().path("allOf")) {
        if (!child.equals(name) && name.equals(refName(part.path("$ref").textValue()))) {
          children.add(child);
          break;
        }
      }
    }
    return children;
  }

  /**
   * The component a resolved schema came from, when it is an object, enum or union worth a name.
   */
  Optional<String> nameOf(JsonNode schema) {
    if (!Schemas.isNamedKind(schema)) {
      return Optional.empty();
    }
    return Optional.ofNullable(byFingerprint.get(fingerprint(schema)));
  }

  /** "#/components/schemas/Pet" → "Pet"; null for refs that point elsewhere. */
  static @Nullable String refName(@Nullable String ref) {
    return ComponentSchemas.nameOf(ref);
  }

  /**
   * The structure of a schema, without what parsers are free to add, drop or rewrite (descriptions,
   * examples, nullable spellings, an implied "type": "object", allOf merged or not), as a short
   * key: equal exactly for equal structures. A structure is written with its subschemas' keys in
   * their place and numbered on first sight, so shared parts are read once and a key stays a few
   * characters however deep the schema.
   */
  String fingerprint(JsonNode schema) {
    String known = fingerprints.get(schema);
    if (known != null) {
      return known;
    }
    String structure = structure(schema);
    String key = keys.computeIfAbsent(structure, k -> "#" + keys.size());
    fingerprints.put(schema, key);
    return key;
  }

  /** Structures written out by {@link #structure}, each with its key. */
  private final Map<String, String> keys = new HashMap<>();

  /**
   * The schema's own structural keywords, with the keys of its subschemas in their place. Names and
   * values are written with their length first, so that no text inside them can look like the
   * writing around them.
   */
  private String structure(JsonNode schema) {
    if (!schema.isObject()) {
      return "v" + text(schema.toString());
    }
    ObjectNode merged = Schemas.mergeAllOf(schema);
    StringBuilder out = new StringBuilder(64);
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
      out.append('t');
      types.forEach(t -> out.append(text(t)));
    }
    for (String key : new String[] {"format", "enum", "const", "$ref"}) {
      JsonNode value = merged.get(key);
      if (value != null) {
        out.append(key.charAt(0)).append(text(value.toString()));
      }
    }
    JsonNode properties = merged.path("properties");
    if (properties.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      properties.fieldNames().forEachRemaining(names::add);
      out.append('p').append(names.size()).append(':');
      names.forEach(n -> out.append(text(n)).append(fingerprint(properties.get(n))));
    }
    JsonNode required = merged.path("required");
    if (required.isArray() && !required.isEmpty()) {
      TreeSet<String> names = new TreeSet<>();
      required.forEach(r -> names.add(r.asText()));
      out.append('r').append(names.size()).append(':');
      names.forEach(n -> out.append(text(n)));
    }
    if (merged.has("items")) {
      out.append('i').append(fingerprint(merged.get("items")));
    }
    if (merged.has("additionalProperties")) {
      out.append('A').append(fingerprint(merged.get("additionalProperties")));
    }
    for (String key : new String[] {"oneOf", "anyOf"}) {
      if (merged.path(key).isArray()) {
        out.append(key.charAt(0)).append(merged.get(key).size()).append(':');
        merged.get(key).forEach(a -> out.append(fingerprint(a)));
      }
    }
    JsonNode discriminator = merged.path("discriminator").path("propertyName");
    if (!discriminator.isMissingNode()) {
      out.append('d').append(text(discriminator.toString()));
    }
    return out.toString();
  }

  /** "abc" → "3:abc". */
  private static String text(String s) {
    return s.length() + ":" + s;
  }
}
