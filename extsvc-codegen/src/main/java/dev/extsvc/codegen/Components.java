package dev.extsvc.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.spec.ComponentSchemas;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
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
   * examples, nullable spellings, an implied "type": "object", allOf merged or not), as a digest:
   * equal for equal structures, and computed from the digests of the parts, so shared parts are
   * read once.
   */
  String fingerprint(JsonNode schema) {
    String known = fingerprints.get(schema);
    if (known != null) {
      return known;
    }
    String digest = digest(structure(schema).toString());
    fingerprints.put(schema, digest);
    return digest;
  }

  /**
   * The schema's own structural keywords, with the fingerprints of its subschemas in their place.
   */
  private JsonNode structure(JsonNode schema) {
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
      names.forEach(n -> p.put(n, fingerprint(properties.get(n))));
    }
    JsonNode required = merged.path("required");
    if (required.isArray() && !required.isEmpty()) {
      TreeSet<String> names = new TreeSet<>();
      required.forEach(r -> names.add(r.asText()));
      ArrayNode r = out.putArray("required");
      names.forEach(r::add);
    }
    if (merged.has("items")) {
      out.put("items", fingerprint(merged.get("items")));
    }
    if (merged.has("additionalProperties")) {
      out.put("additionalProperties", fingerprint(merged.get("additionalProperties")));
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

  private static String digest(String text) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
