package dev.extsvc.codegen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

  /**
   * Past this many copied nodes (the bound registration has too), references are left as {@code $ref}. Expansions
   * that do not depend on where they are are shared, so this is reached only by schemas that refer to each other
   * in circles, where each path through the circle is written out on its own. A reference left in place only
   * costs a name: the type it names is generated all the same, and a structure it hides is named by context.
   */
  static final int MAX_INLINED_NODES = 2_000_000;

  /** Resolved (refs inlined, recursion kept as $ref) component schemas, in document order. */
  private final Map<String, JsonNode> resolved = new LinkedHashMap<>();

  private final Map<String, String> byFingerprint = new LinkedHashMap<>();

  /**
   * Fingerprints by node identity. Resolved schemas share the subtrees of the components they refer to, so a
   * schema is a graph that may be far larger written out than in memory; each node is fingerprinted once.
   */
  private final Map<JsonNode, String> fingerprints = new IdentityHashMap<>();

  private final Map<String, JsonNode> raw = new LinkedHashMap<>();

  /** Expansions that do not depend on which schemas enclose them, shared by every schema that refers to them. */
  private final Map<String, JsonNode> closed = new HashMap<>();

  private final List<String> expanding = new ArrayList<>();
  private int budget;
  /** The outermost depth of {@link #expanding} that a reference was kept back to since it was last reset. */
  private int cut = Integer.MAX_VALUE;

  Components(String document) {
    this(document, MAX_INLINED_NODES);
  }

  Components(String document, int maxInlinedNodes) {
    this.budget = maxInlinedNodes;
    JsonNode root = read(document);
    JsonNode schemas = root.path("components").path("schemas");
    schemas.fields().forEachRemaining(e -> raw.put(e.getKey(), e.getValue()));
    for (String name : raw.keySet()) {
      JsonNode schema = expand(name);
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

  /**
   * The components that extend {@code name} through {@code allOf: [{$ref: name}, ...]}, in document order, when
   * {@code name} itself declares a discriminator: inheritance, which Java spells as a sealed interface.
   */
  List<String> subtypesOf(String name) {
    JsonNode parent = raw.get(name);
    if (parent == null || !parent.path("discriminator").path("propertyName").isTextual()) {
      return List.of();
    }
    List<String> children = new ArrayList<>();
    raw.forEach((child, schema) -> {
      for (JsonNode part : schema.path("allOf")) {
        if (!child.equals(name) && name.equals(refName(part.path("$ref").textValue()))) {
          children.add(child);
          break;
        }
      }
    });
    return children;
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

  /** A component with its references inlined, computed once unless it depends on what encloses it. */
  private JsonNode expand(String name) {
    JsonNode known = closed.get(name);
    if (known != null) {
      return known;
    }
    int depth = expanding.size();
    int outer = cut;
    cut = Integer.MAX_VALUE;
    expanding.add(name);
    JsonNode schema = inline(Objects.requireNonNull(raw.get(name))); // the caller checked containsKey
    expanding.remove(depth);
    if (cut >= depth) {
      closed.put(name, schema); // every reference kept back points to this component or into it
    }
    cut = Math.min(outer, cut);
    return schema;
  }

  private JsonNode inline(JsonNode node) {
    if (node.isObject()) {
      String name = refName(node.path("$ref").textValue());
      if (name != null && raw.containsKey(name)) {
        int at = expanding.indexOf(name);
        if (at >= 0) {
          cut = Math.min(cut, at);
          return node; // recursion: keep the reference, as registration does
        }
        return budget > 0 || closed.containsKey(name) ? expand(name) : node;
      }
      budget--;
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(e -> copy.set(e.getKey(), inline(e.getValue())));
      return copy;
    }
    if (node.isArray()) {
      budget--;
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(e -> copy.add(inline(e)));
      return copy;
    }
    return node;
  }

  /**
   * The structure of a schema, without what parsers are free to add, drop or rewrite (descriptions, examples,
   * nullable spellings, an implied "type": "object", allOf merged or not), as a digest: equal for equal
   * structures, and computed from the digests of the parts, so shared parts are read once.
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

  /** The schema's own structural keywords, with the fingerprints of its subschemas in their place. */
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
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
