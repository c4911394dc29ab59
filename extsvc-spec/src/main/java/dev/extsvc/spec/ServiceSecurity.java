package dev.extsvc.spec;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a registered service declares about authentication: its security schemes and, per operation,
 * the alternatives it accepts. Read from the definition's document on demand rather than carried in
 * {@link Operation}, so the model's records keep their shape.
 *
 * @param schemes by name, in document order
 * @param operations for each operation id, its alternatives (the operation's own {@code security},
 *     else the document's); an empty list means the service asks for nothing
 */
public record ServiceSecurity(
    Map<String, SecurityScheme> schemes, Map<String, List<SecurityRequirement>> operations) {

  public ServiceSecurity {
    schemes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(schemes));
    operations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(operations));
  }

  /** The alternatives of one operation; empty when it needs no credentials. */
  public List<SecurityRequirement> requirements(String operationId) {
    return operations.getOrDefault(operationId, List.of());
  }

  /**
   * Reads the security of a registered service. A requirement naming an undeclared scheme is kept
   * out (the document is inconsistent; swagger-parser's report says so at registration).
   */
  public static ServiceSecurity of(ServiceDefinition service) {
    Findings ignored = new Findings();
    SourceDocument document =
        SourceDocument.read(service.document(), Long.MAX_VALUE, Long.MAX_VALUE, ignored);
    if (document == null) {
      return new ServiceSecurity(Map.of(), Map.of());
    }
    JsonNode root = document.tree();
    Refs refs = new Refs(root, ignored);
    Map<String, SecurityScheme> schemes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e :
        root.path("components").path("securitySchemes").properties()) {
      Refs.Target t =
          refs.follow(e.getValue(), JsonPointers.append("/components/securitySchemes", e.getKey()));
      if (t != null && t.node().isObject()) {
        schemes.put(e.getKey(), scheme(e.getKey(), t.node()));
      }
    }
    List<SecurityRequirement> global = requirements(root.get("security"), schemes);
    Map<String, List<SecurityRequirement>> operations = new LinkedHashMap<>();
    for (Operation op : service.operations()) {
      JsonNode node = root.at(JsonPointer.compile(op.pointer()));
      JsonNode own = node.get("security");
      operations.put(op.id(), own != null && own.isArray() ? requirements(own, schemes) : global);
    }
    return new ServiceSecurity(schemes, operations);
  }

  private static SecurityScheme scheme(String name, JsonNode node) {
    String type = ModelParts.text(node, "type");
    String httpScheme = ModelParts.text(node, "scheme");
    List<String> flows = new ArrayList<>();
    node.path("flows").fieldNames().forEachRemaining(flows::add);
    return new SecurityScheme(
        name,
        type == null ? "unknown" : type,
        ModelParts.text(node, "in"),
        ModelParts.text(node, "name"),
        httpScheme == null ? null : httpScheme.toLowerCase(Locale.ROOT),
        flows);
  }

  private static List<SecurityRequirement> requirements(
      JsonNode security, Map<String, SecurityScheme> schemes) {
    List<SecurityRequirement> out = new ArrayList<>();
    if (security == null || !security.isArray()) {
      return out;
    }
    for (JsonNode alternative : security) {
      List<SecurityScheme> needed = new ArrayList<>();
      boolean complete = true;
      for (Map.Entry<String, JsonNode> e : alternative.properties()) {
        SecurityScheme s = schemes.get(e.getKey());
        if (s == null) {
          complete = false;
        } else {
          needed.add(s);
        }
      }
      if (complete) {
        out.add(new SecurityRequirement(needed));
      }
    }
    return out;
  }
}
