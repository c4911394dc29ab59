package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the operations of {@code paths} in document order, with unique ids and their callbacks. */
final class OperationReader {
  static final List<String> METHODS =
      List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private final JsonNode root;
  private final Refs refs;
  private final ModelParts parts;
  private final Findings findings;

  OperationReader(JsonNode root, Refs refs, Findings findings) {
    this.root = root;
    this.refs = refs;
    this.parts = new ModelParts(refs);
    this.findings = findings;
  }

  /** Where an operation is, before it is read. */
  private record Located(
      String path,
      String method,
      JsonNode pathItem,
      String pathItemPointer,
      JsonNode node,
      String pointer) {}

  List<Operation> read() {
    List<Located> located = locate();
    List<String> ids = assignIds(located);
    List<Operation> operations = new ArrayList<>();
    for (int i = 0; i < located.size(); i++) {
      operations.add(read(located.get(i), ids.get(i)));
    }
    return operations;
  }

  private List<Located> locate() {
    List<Located> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : root.path("paths").properties()) {
      if (path.getKey().startsWith("x-")) {
        continue;
      }
      Refs.Target item = refs.follow(path.getValue(), JsonPointers.append("/paths", path.getKey()));
      if (item == null || !item.node().isObject()) {
        continue;
      }
      for (Iterator<String> names = item.node().fieldNames(); names.hasNext(); ) {
        String method = names.next();
        JsonNode op = item.node().get(method);
        if (METHODS.contains(method) && op.isObject()) {
          String pointer = item.pointer() + "/" + method;
          out.add(new Located(path.getKey(), method, item.node(), item.pointer(), op, pointer));
        }
      }
    }
    return out;
  }

  /** operationIds as written (a repeated one is an error), else names made from method and path. */
  private List<String> assignIds(List<Located> located) {
    Map<String, Located> explicit = new HashMap<>();
    for (Located l : located) {
      String id = ModelParts.text(l.node(), "operationId");
      if (id == null || id.isBlank()) {
        continue;
      }
      Located first = explicit.putIfAbsent(id, l);
      if (first != null) {
        findings.error(
            l.pointer() + "/operationId",
            "operationId '"
                + id
                + "' is already used by "
                + first.method().toUpperCase(Locale.ROOT)
                + " "
                + first.path()
                + "; operationIds must be unique");
      }
    }
    Set<String> taken = new HashSet<>(explicit.keySet());
    List<String> ids = new ArrayList<>();
    for (Located l : located) {
      String id = ModelParts.text(l.node(), "operationId");
      if (id == null || id.isBlank()) {
        String base = madeUpId(l.method(), l.path());
        id = base;
        for (int n = 2; taken.contains(id); n++) {
          id = base + n;
        }
        taken.add(id);
      }
      ids.add(id);
    }
    return ids;
  }

  /** "post" and "/applications/{id}" give "postApplicationsId". */
  static String madeUpId(String method, String path) {
    StringBuilder id = new StringBuilder(method.toLowerCase(Locale.ROOT));
    for (String word : path.split("[^A-Za-z0-9]+")) {
      if (!word.isEmpty()) {
        id.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
      }
    }
    return id.toString();
  }

  private Operation read(Located l, String id) {
    List<Parameter> parameters =
        parts.parameters(l.pathItem(), l.pathItemPointer(), l.node(), l.pointer());
    RequestBody body = parts.requestBody(l.node(), l.pointer());
    Map<String, ResponseDefinition> responses = parts.responses(l.node(), l.pointer());
    String method = l.method().toUpperCase(Locale.ROOT);
    Operation shell =
        new Operation(
            id,
            method,
            l.path(),
            l.pointer(),
            ModelParts.text(l.node(), "summary"),
            ModelParts.text(l.node(), "description"),
            parameters,
            body,
            responses,
            List.of());
    List<CallbackDefinition> callbacks =
        new CallbackReader(refs, parts, findings).read(shell, l.node());
    new CallbackOverlap(findings).check(callbacks);
    return new Operation(
        shell.id(),
        shell.method(),
        shell.path(),
        shell.pointer(),
        shell.summary(),
        shell.description(),
        parameters,
        body,
        responses,
        callbacks);
  }
}
