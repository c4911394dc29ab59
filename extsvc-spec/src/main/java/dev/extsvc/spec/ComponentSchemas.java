package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The component schemas of a registered document ({@code components/schemas}) by name, in document
 * order, each with its {@code $ref}s inlined by the same rules as the operations' schemas in the
 * model: what a code generator needs to name the types it writes, without reading the document
 * again.
 *
 * <p>Registration itself inlines only what the operations use; these are inlined on first use, all
 * at once and in document order (so the result does not depend on which is asked for first), then
 * kept. Expansions that do not depend on where they are used are shared between the schemas that
 * use them, so a schema may be far larger written out than in memory: read them, never change them.
 * (So a component used inside another is that component's own expansion, which may write a
 * recursion out once more than the operations' schemas do before the {@code $ref}.) Thread-safe.
 */
public final class ComponentSchemas {
  /**
   * Past this many copied objects and arrays, a reference without a shared expansion stays a {@code
   * $ref} (see {@link #withMaxInlinedNodes}): the same bound as registration's, which refuses a
   * document instead.
   */
  public static final int DEFAULT_MAX_INLINED_NODES = Refs.MAX_INLINED_NODES;

  private static final String REF_PREFIX = "#" + Refs.COMPONENT_SCHEMAS + "/";
  private static final ComponentSchemas NONE =
      new ComponentSchemas(JsonNodeFactory.instance.objectNode(), DEFAULT_MAX_INLINED_NODES);

  /** The parsed document, of which only {@code components/schemas} is kept (see {@link #of}). */
  private final JsonNode root;

  private final int maxInlinedNodes;
  private final List<String> names;
  private @Nullable Map<String, JsonNode> inlined; // guarded by this

  private ComponentSchemas(JsonNode root, int maxInlinedNodes) {
    this.root = root;
    this.maxInlinedNodes = maxInlinedNodes;
    List<String> found = new ArrayList<>();
    declaredSchemas().properties().forEach(e -> found.add(e.getKey()));
    this.names = List.copyOf(found);
  }

  /**
   * The component schemas of a parsed document (one registration read). Only {@code
   * components/schemas} is kept: a registered service is held for as long as it is registered, and
   * the rest of the tree (paths, examples) is most of a large document. So a reference from a
   * component schema to anywhere else stays a {@code $ref} here: rare, and what the generator read
   * before registration kept the components.
   */
  static ComponentSchemas of(JsonNode root) {
    ObjectNode kept = JsonNodeFactory.instance.objectNode();
    JsonNode schemas = root.path("components").path("schemas");
    if (!schemas.isMissingNode()) {
      kept.putObject("components").set("schemas", schemas);
    }
    return new ComponentSchemas(kept, DEFAULT_MAX_INLINED_NODES);
  }

  /** No component schemas: for a model built by hand. */
  public static ComponentSchemas none() {
    return NONE;
  }

  /**
   * The same components, inlined with another bound on the work (not yet inlined: the bound applies
   * from the start).
   *
   * @param maxInlinedNodes how many objects and arrays may be copied before references are left in
   *     place
   */
  public ComponentSchemas withMaxInlinedNodes(int maxInlinedNodes) {
    if (maxInlinedNodes <= 0) {
      throw new IllegalArgumentException("maxInlinedNodes must be positive");
    }
    return new ComponentSchemas(root, maxInlinedNodes);
  }

  /** The names of the component schemas, in document order. */
  public List<String> names() {
    return names;
  }

  /**
   * A component schema with every {@code $ref} to a component schema (or into one) inlined; a
   * reference back into a schema that encloses it (recursion), past the bound one without a shared
   * expansion, and one to elsewhere in the document stay a {@code $ref}.
   */
  public Optional<JsonNode> schema(String name) {
    return Optional.ofNullable(inlined().get(name));
  }

  /** A component schema as the document declares it, its {@code $ref}s as written. */
  public Optional<JsonNode> declared(String name) {
    JsonNode schema = declaredSchemas().get(name);
    return Optional.ofNullable(schema);
  }

  /**
   * The component a reference names: "#/components/schemas/Pet" gives "Pet" (escapes and
   * percent-encoding undone); null for a reference to anything else, or for one that is not a local
   * reference.
   */
  public static @Nullable String nameOf(@Nullable String ref) {
    if (ref == null || !ref.startsWith(REF_PREFIX)) {
      return null;
    }
    String pointer = Refs.pointerOf(ref);
    if (pointer == null) {
      return null;
    }
    List<String> tokens = JsonPointers.tokens(pointer);
    return tokens.size() == 3 ? tokens.get(2) : null;
  }

  private JsonNode declaredSchemas() {
    return root.path("components").path("schemas");
  }

  private synchronized Map<String, JsonNode> inlined() {
    if (inlined == null) {
      inlined = Refs.inlineComponents(root, maxInlinedNodes);
    }
    return inlined;
  }

  /** Equal when they hold the same declared schemas under the same bound. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ComponentSchemas other
        && maxInlinedNodes == other.maxInlinedNodes
        && declaredSchemas().equals(other.declaredSchemas());
  }

  @Override
  public int hashCode() {
    return declaredSchemas().hashCode();
  }

  @Override
  public String toString() {
    return "ComponentSchemas" + names;
  }
}
