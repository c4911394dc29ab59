package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The parts of an outgoing request that callers fill and runtime expressions point into: query
 * parameters, headers (names case-insensitive), path parameters and a JSON body. Mutable; {@link
 * #copy()} before sharing.
 *
 * <p>Its JSON form, used by the REST API and the CLI, is {@code {"query":{"a":"1"},
 * "headers":{...}, "path":{...}, "body":...}}; a query value may also be an array of strings.
 */
public final class RequestParts {
  private final Map<String, List<String>> query = new LinkedHashMap<>();
  private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private final Map<String, String> path = new LinkedHashMap<>();
  private @Nullable JsonNode body;

  public Map<String, List<String>> query() {
    return query;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public Map<String, String> path() {
    return path;
  }

  public @Nullable JsonNode body() {
    return body;
  }

  public RequestParts body(@Nullable JsonNode newBody) {
    this.body = newBody;
    return this;
  }

  public RequestParts query(String name, String value) {
    query.put(name, new ArrayList<>(List.of(value)));
    return this;
  }

  public @Nullable String firstQuery(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  public RequestParts header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public RequestParts pathParam(String name, String value) {
    path.put(name, value);
    return this;
  }

  public RequestParts copy() {
    RequestParts c = new RequestParts();
    query.forEach((k, v) -> c.query.put(k, new ArrayList<>(v)));
    c.headers.putAll(headers);
    c.path.putAll(path);
    c.body = body == null ? null : body.deepCopy();
    return c;
  }

  /** Reads the JSON form; throws {@link IllegalArgumentException} naming the offending member. */
  public static RequestParts fromJson(@Nullable JsonNode json) {
    RequestParts parts = new RequestParts();
    if (json == null || json.isNull() || json.isMissingNode()) {
      return parts;
    }
    if (!json.isObject()) {
      throw new IllegalArgumentException(
          "request input must be a JSON object with query, headers, path, body");
    }
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String member = it.next();
      if (!List.of("query", "headers", "path", "body").contains(member)) {
        throw new IllegalArgumentException(
            "unknown member '"
                + member
                + "' in request input (expected query, headers, path, body)");
      }
    }
    JsonNode q = json.path("query");
    if (!q.isMissingNode()) {
      requireObject(q, "query");
      q.fields()
          .forEachRemaining(
              e -> {
                List<String> values = new ArrayList<>();
                if (e.getValue().isArray()) {
                  e.getValue().forEach(v -> values.add(scalar(v, "query/" + e.getKey())));
                } else {
                  values.add(scalar(e.getValue(), "query/" + e.getKey()));
                }
                parts.query.put(e.getKey(), values);
              });
    }
    JsonNode h = json.path("headers");
    if (!h.isMissingNode()) {
      requireObject(h, "headers");
      h.fields()
          .forEachRemaining(
              e -> parts.headers.put(e.getKey(), scalar(e.getValue(), "headers/" + e.getKey())));
    }
    JsonNode p = json.path("path");
    if (!p.isMissingNode()) {
      requireObject(p, "path");
      p.fields()
          .forEachRemaining(
              e -> parts.path.put(e.getKey(), scalar(e.getValue(), "path/" + e.getKey())));
    }
    JsonNode b = json.get("body");
    parts.body = b == null ? null : b.deepCopy();
    return parts;
  }

  public ObjectNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode json = f.objectNode();
    ObjectNode q = json.putObject("query");
    query.forEach(
        (k, v) -> {
          if (v.size() == 1) {
            q.put(k, v.get(0));
          } else {
            v.forEach(q.putArray(k)::add);
          }
        });
    ObjectNode h = json.putObject("headers");
    headers.forEach(h::put);
    ObjectNode p = json.putObject("path");
    path.forEach(p::put);
    if (body != null) {
      json.set("body", body.deepCopy());
    }
    return json;
  }

  private static void requireObject(JsonNode node, String name) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(
          "request input member '" + name + "' must be a JSON object");
    }
  }

  private static String scalar(JsonNode v, String where) {
    if (v.isContainerNode() || v.isNull()) {
      throw new IllegalArgumentException(
          "request input /" + where + " must be a string, number or boolean");
    }
    return v.asText();
  }
}
