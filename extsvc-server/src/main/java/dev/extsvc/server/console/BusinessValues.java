package dev.extsvc.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.server.Json;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.ExpressionTemplate;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.RuntimeExpression;
import dev.extsvc.spec.RuntimeExpression.Source;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The values that tell people one invocation from another in the list ("applicationNumber A-1001"),
 * chosen by one rule (docs/console.md):
 *
 * <ol>
 *   <li>the scalar values the operation's callback URL templates name besides the place the runtime
 *       writes its URL, e.g. {@code {$request.body#/orderId}} in {@code
 *       {$request.query.cb}?order={$request.body#/orderId}}, read from the request or the answer;
 *   <li>else the scalar members of the synchronous answer's JSON body, then of the request body,
 *       whose names look identifying ({@code id}, {@code reference}, {@code number}, or ending in
 *       {@code Id}, {@code ID}, {@code Number}, {@code No}, {@code Reference}, {@code Ref}, {@code
 *       _id}, {@code _number}, {@code _ref}): the top level first, then one level down.
 * </ol>
 *
 * At most {@value #MAX} values; a value that could be a callback URL is never chosen.
 */
final class BusinessValues {
  static final int MAX = 3;
  private static final int MAX_VALUE_LENGTH = 80;
  private static final Pattern IDENTIFYING =
      Pattern.compile(
          "(?:id|reference|number|"
              + ".*[a-z0-9](?:Id|ID|Number|No|Reference|Ref)|"
              + "(?i:.*_(?:id|number|no|ref|reference)))");

  /** One value and the member it came from. */
  record Value(String name, String value) {}

  private BusinessValues() {}

  static List<Value> of(@Nullable Operation operation, InvocationRow inv) {
    JsonNode request = read(inv.request());
    JsonNode answer = read(inv.syncBody());
    List<Value> out = new ArrayList<>();
    if (operation != null) {
      named(operation, request, answer, out);
    }
    if (out.isEmpty()) {
      identifying(answer, out);
      identifying(request.path("body"), out);
    }
    return List.copyOf(out);
  }

  /** Rule 1: what the callback URL templates name, other than where the runtime writes its URL. */
  private static void named(Operation op, JsonNode request, JsonNode answer, List<Value> out) {
    for (CallbackDefinition def : op.callbacks()) {
      ExpressionTemplate template = def.template();
      if (template == null) {
        continue;
      }
      boolean first = true;
      for (ExpressionTemplate.Part part : template.parts()) {
        if (!(part instanceof ExpressionTemplate.Expression e)) {
          continue;
        }
        // the first expression of an awaitable key is the runtime's own URL, never a business value
        boolean urlPlace = first && def.target() != null;
        first = false;
        if (!urlPlace) {
          Value v = valueOf(e.expression(), request, answer);
          if (v != null) {
            add(out, v);
          }
        }
      }
    }
  }

  private static @Nullable Value valueOf(RuntimeExpression e, JsonNode request, JsonNode answer) {
    return switch (e) {
      case RuntimeExpression.Query q when q.source() == Source.REQUEST ->
          scalar(q.name(), request.path("query").path(q.name()));
      case RuntimeExpression.Path p when p.source() == Source.REQUEST ->
          scalar(p.name(), request.path("path").path(p.name()));
      case RuntimeExpression.Header h when h.source() == Source.REQUEST ->
          scalar(h.name(), header(request.path("headers"), h.name()));
      case RuntimeExpression.Body b when !b.pointer().isEmpty() ->
          scalar(
              lastToken(b.pointer()),
              (b.source() == Source.REQUEST ? request.path("body") : answer).at(b.pointer()));
      default -> null;
    };
  }

  /** Rule 2: identifying-looking scalar members, the top level first, then one level down. */
  private static void identifying(JsonNode node, List<Value> out) {
    if (!node.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> m : node.properties()) {
      if (IDENTIFYING.matcher(m.getKey()).matches()) {
        Value v = scalar(m.getKey(), m.getValue());
        if (v != null) {
          add(out, v);
        }
      }
    }
    for (Map.Entry<String, JsonNode> m : node.properties()) {
      if (m.getValue().isObject()) {
        for (Map.Entry<String, JsonNode> inner : m.getValue().properties()) {
          if (IDENTIFYING.matcher(inner.getKey()).matches()) {
            Value v = scalar(inner.getKey(), inner.getValue());
            if (v != null) {
              add(out, v);
            }
          }
        }
      }
    }
  }

  private static void add(List<Value> out, Value v) {
    if (out.size() < MAX && !out.contains(v)) {
      out.add(v);
    }
  }

  private static @Nullable Value scalar(String name, JsonNode node) {
    if (!node.isValueNode() || node.isNull()) {
      return null;
    }
    String text = node.asText();
    if (text.isBlank()
        || text.length() > MAX_VALUE_LENGTH
        || text.contains("://")
        || text.contains("{token")) {
      return null; // a URL, maybe a callback URL, is not a business value
    }
    return new Value(name, text);
  }

  private static JsonNode header(JsonNode headers, String name) {
    for (Iterator<String> it = headers.fieldNames(); it.hasNext(); ) {
      String h = it.next();
      if (h.equalsIgnoreCase(name)) {
        return headers.path(h);
      }
    }
    return headers.path(name);
  }

  private static String lastToken(String pointer) {
    String last = pointer.substring(pointer.lastIndexOf('/') + 1);
    return last.replace("~1", "/").replace("~0", "~");
  }

  private static JsonNode read(@Nullable String json) {
    if (json == null || json.isBlank()) {
      return Json.MAPPER.missingNode();
    }
    try {
      JsonNode node = Json.MAPPER.readTree(json);
      return node == null ? Json.MAPPER.missingNode() : node;
    } catch (IOException e) {
      return Json.MAPPER.missingNode(); // an answer that is not JSON has no members to show
    }
  }
}
