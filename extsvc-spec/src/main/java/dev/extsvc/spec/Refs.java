package dev.extsvc.spec;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Local {@code $ref} resolution within one document. References to other files or URLs are refused:
 * fetching them would make registration depend on the network (and let a document make the server
 * call anywhere). The one inliner: the operations' schemas in the model and the component schemas a
 * registration keeps for code generators ({@link ComponentSchemas}) are inlined here, by the same
 * rules.
 */
final class Refs {
  /**
   * Inlining shared schemas can grow a document exponentially; past this many nodes it is refused.
   */
  static final int MAX_INLINED_NODES = 2_000_000;

  /**
   * Keywords whose values are data, not schemas or OpenAPI objects: a "$ref" in them is not a
   * reference.
   */
  private static final Set<String> DATA_KEYWORDS = Set.of("example", "default", "const", "enum");

  /**
   * Members whose value maps names to objects. Those names are not keywords: a property called
   * "example" or a response called "default" holds a schema or a response, not data.
   */
  private static final Set<String> NAMED_MAPS =
      Set.of(
          "properties",
          "patternProperties",
          "$defs",
          "definitions",
          "dependentSchemas",
          "paths",
          "webhooks",
          "schemas",
          "responses",
          "parameters",
          "requestBodies",
          "headers",
          "callbacks",
          "content",
          "encoding",
          "links",
          "securitySchemes",
          "pathItems",
          "examples");

  static final String COMPONENT_SCHEMAS = "/components/schemas";

  private final JsonNode root;
  private final Findings findings;
  private int budget = MAX_INLINED_NODES;
  private boolean overBudgetReported;
  private String inlining = "/components";

  /**
   * Expansions kept for reuse, by the pointer they were inlined from, when inlining every component
   * for {@link #inlineComponents}; null while registering, where each use is a copy of its own (the
   * operations' schemas are the model, and its readers may take them apart).
   */
  private final @Nullable Map<String, JsonNode> shared;

  /**
   * The outermost index of the schemas being inlined that a reference was kept back to, since
   * {@link #expand}.
   */
  private int cut = Integer.MAX_VALUE;

  Refs(JsonNode root, Findings findings) {
    this(root, findings, null);
  }

  private Refs(JsonNode root, Findings findings, @Nullable Map<String, JsonNode> shared) {
    this.root = root;
    this.findings = findings;
    this.shared = shared;
  }

  /** An object reached by following {@code $ref}s, and the pointer where it is defined. */
  record Target(JsonNode node, String pointer) {}

  /** Reports every {@code $ref} in the document that does not resolve; returns whether all do. */
  boolean checkAll() {
    return check(root, new At(null, null, 0), false);
  }

  /**
   * A place in the document being checked, as a chain of steps: the walk visits every node, and
   * building each node's pointer as text cost more than the check itself, so a pointer is written
   * out only for a finding.
   */
  private record At(@Nullable At parent, @Nullable String member, int index) {
    /** The document's root has no parent. */
    String pointer() {
      if (parent == null) {
        return "";
      }
      return member != null
          ? JsonPointers.append(parent.pointer(), member)
          : parent.pointer() + "/" + index;
    }
  }

  /**
   * @param named whether the members of {@code node} are names (see {@link #NAMED_MAPS}) rather
   *     than keywords
   */
  private boolean check(JsonNode node, At at, boolean named) {
    boolean ok = true;
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (!named && ref != null && ref.isTextual() && lookUp(ref.textValue()) == null) {
        findings.error(at.pointer() + "/$ref", unresolved(ref.textValue()));
        ok = false;
      }
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        JsonNode value = e.getValue();
        if (value.isContainerNode() && (named || !isData(e.getKey(), value))) {
          ok &= check(value, new At(at, e.getKey(), 0), !named && namesMembers(e.getKey(), value));
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        if (node.get(i).isContainerNode()) {
          ok &= check(node.get(i), new At(at, null, i), false);
        }
      }
    }
    return ok;
  }

  private static boolean isData(String keyword, JsonNode value) {
    // a schema's "examples" (3.1) is an array of data; an OpenAPI "examples" is a map of Example
    // objects
    return DATA_KEYWORDS.contains(keyword)
        || keyword.startsWith("x-")
        || (keyword.equals("examples") && value.isArray());
  }

  private static boolean namesMembers(String keyword, JsonNode value) {
    return value.isObject() && NAMED_MAPS.contains(keyword);
  }

  static String unresolved(String ref) {
    if (!ref.startsWith("#")) {
      return "$ref '"
          + ref
          + "' points outside this document, which is not supported: bundle the document into one"
          + " file (for example with redocly bundle or swagger-cli bundle)";
    }
    return "$ref '" + ref + "' points to nothing in this document";
  }

  /** The node a local reference points to, or null. */
  @Nullable JsonNode lookUp(String ref) {
    String pointer = pointerOf(ref);
    if (pointer == null) {
      return null;
    }
    try {
      JsonNode node = pointer.isEmpty() ? root : root.at(JsonPointer.compile(pointer));
      return node.isMissingNode() ? null : node;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The JSON pointer of a local reference ("#/components/schemas/A%20B" → "/components/schemas/A
   * B"), or null.
   */
  static @Nullable String pointerOf(String ref) {
    if (!ref.startsWith("#")) {
      return null;
    }
    String fragment = percentDecode(ref.substring(1));
    return fragment != null && JsonPointers.firstError(fragment) < 0 ? fragment : null;
  }

  private static @Nullable String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c == '%') {
        return null;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Follows {@code $ref}s from {@code node} (found at {@code pointer}) to the object they name.
   * Null when a reference is broken (reported by {@link #checkAll()}) or circular (reported here).
   */
  @Nullable Target follow(JsonNode node, String pointer) {
    Set<String> seen = new HashSet<>();
    JsonNode current = node;
    String at = pointer;
    while (current.isObject() && current.path("$ref").isTextual()) {
      String ref = current.get("$ref").textValue();
      String target = pointerOf(ref);
      JsonNode next = lookUp(ref);
      if (target == null || next == null) {
        return null;
      }
      if (!seen.add(target)) {
        findings.error(at + "/$ref", "$ref '" + ref + "' is circular");
        return null;
      }
      current = next;
      at = target;
    }
    return new Target(current, at);
  }

  /**
   * A copy of {@code schema} with every local {@code $ref} replaced by what it names. A reference
   * back into a schema being inlined stays a {@code $ref}: a recursive schema cannot be written out
   * in full.
   */
  @Nullable JsonNode inline(@Nullable JsonNode schema) {
    return inline(schema, "/components");
  }

  /** {@link #inline(JsonNode)} of the schema at {@code pointer}, which a refusal for size names. */
  @Nullable JsonNode inline(@Nullable JsonNode schema, String pointer) {
    if (schema == null || schema.isMissingNode()) {
      return null;
    }
    inlining = pointer;
    return inline(schema, new ArrayList<>(), false);
  }

  /**
   * Every component schema ({@code components/schemas}) inlined as {@link #inline(JsonNode)}
   * inlines, by name in document order, for {@link ComponentSchemas}. Unlike registration, this
   * reads every component, used or not, and refuses nothing, so it bounds its work differently: an
   * expansion that does not depend on which schemas enclose it is made once and shared by every
   * schema that refers to it (so a document whose schemas multiply when written out stays small),
   * and past {@code maxCopiedNodes} copied objects and arrays a reference that has no shared
   * expansion stays a {@code $ref}. Only schemas that refer to each other in circles reach that
   * bound: each path through the circle is written out on its own.
   */
  static Map<String, JsonNode> inlineComponents(JsonNode root, int maxCopiedNodes) {
    Map<String, JsonNode> shared = new HashMap<>();
    Refs refs = new Refs(root, new Findings(), shared);
    refs.budget = maxCopiedNodes;
    Map<String, JsonNode> out = new LinkedHashMap<>();
    root.path("components")
        .path("schemas")
        .properties()
        .forEach(
            e -> {
              String pointer = JsonPointers.append(COMPONENT_SCHEMAS, e.getKey());
              JsonNode known = shared.get(pointer);
              out.put(
                  e.getKey(),
                  known != null ? known : refs.expand(pointer, e.getValue(), new ArrayList<>()));
            });
    return out;
  }

  private JsonNode inline(JsonNode node, List<String> expanding, boolean named) {
    if (shared == null && --budget < 0) {
      if (!overBudgetReported) {
        overBudgetReported = true;
        findings.error(
            inlining,
            "schemas grow to more than "
                + MAX_INLINED_NODES
                + " nodes when their $refs are"
                + " inlined (schemas that refer to shared schemas many times multiply; the limit was reached at this"
                + " one); the document is refused to protect memory");
      }
      return node;
    }
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (!named && ref != null && ref.isTextual()) {
        return inlineRef(node, ref.textValue(), expanding);
      }
      if (shared != null) {
        budget--; // sharing makes most nodes cost nothing; what is copied is what is counted
      }
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      node.properties()
          .forEach(
              e ->
                  copy.set(
                      e.getKey(),
                      !named && isData(e.getKey(), e.getValue())
                          ? e.getValue().deepCopy()
                          : inline(
                              e.getValue(),
                              expanding,
                              !named && namesMembers(e.getKey(), e.getValue()))));
      return copy;
    }
    if (node.isArray()) {
      if (shared != null) {
        budget--;
      }
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(element -> copy.add(inline(element, expanding, false)));
      return copy;
    }
    return node;
  }

  private JsonNode inlineRef(JsonNode node, String ref, List<String> expanding) {
    String target = pointerOf(ref);
    JsonNode named = lookUp(ref);
    if (target == null || named == null) {
      return node.deepCopy();
    }
    int enclosing = expanding.indexOf(target);
    if (enclosing >= 0) {
      cut = Math.min(cut, enclosing);
      return node.deepCopy();
    }
    JsonNode resolved = shared == null ? null : shared.get(target);
    if (resolved == null) {
      if (shared != null && budget <= 0) {
        return node; // a reference left in place only costs its reader a name: see inlineComponents
      }
      resolved = expand(target, named, expanding);
    }
    if (node.size() == 1 || !resolved.isObject()) {
      return resolved;
    }
    // members beside $ref (3.1 allows them; 3.0 documents write description there) refine what it
    // names
    ObjectNode merged =
        shared == null
            ? (ObjectNode) resolved
            : JsonNodeFactory.instance
                .objectNode()
                .setAll((ObjectNode) resolved); // a shared expansion stays as is
    node.properties()
        .forEach(
            e -> {
              if (!e.getKey().equals("$ref")) {
                merged.set(e.getKey(), inline(e.getValue(), expanding, false));
              }
            });
    return merged;
  }

  /**
   * The node at {@code target} inlined. When sharing, it is kept for every later reference to
   * {@code target} if no reference in it was kept back to a schema enclosing it ({@link #cut}):
   * then it is the same wherever it is.
   */
  private JsonNode expand(String target, JsonNode named, List<String> expanding) {
    int depth = expanding.size();
    int outerCut = cut;
    cut = Integer.MAX_VALUE;
    expanding.add(target);
    JsonNode resolved = inline(named, expanding, false);
    expanding.remove(depth);
    if (shared != null && cut >= depth) {
      shared.put(target, resolved);
    }
    cut = Math.min(outerCut, cut);
    return resolved;
  }
}
