package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads the pieces operations and callback operations share: parameters, request bodies, responses,
 * media types and examples, with every {@code $ref} followed and schemas inlined.
 */
final class ModelParts {
  private final Refs refs;

  ModelParts(Refs refs) {
    this.refs = refs;
  }

  /** Parameters of a path item merged with those of one of its operations; the operation's win. */
  List<Parameter> parameters(
      JsonNode pathItem, String pathItemPointer, JsonNode operation, String operationPointer) {
    Map<String, Parameter> byPlace = new LinkedHashMap<>();
    for (Parameter p :
        parameterList(pathItem.path("parameters"), pathItemPointer + "/parameters")) {
      byPlace.put(p.in() + " " + p.name(), p);
    }
    for (Parameter p :
        parameterList(operation.path("parameters"), operationPointer + "/parameters")) {
      byPlace.put(p.in() + " " + p.name(), p);
    }
    return new ArrayList<>(byPlace.values());
  }

  private List<Parameter> parameterList(JsonNode array, String pointer) {
    List<Parameter> out = new ArrayList<>();
    if (!array.isArray()) {
      return out;
    }
    for (int i = 0; i < array.size(); i++) {
      Refs.Target t = refs.follow(array.get(i), pointer + "/" + i);
      if (t == null || !t.node().path("name").isTextual()) {
        continue;
      }
      ParameterLocation in = location(t.node().path("in").asText(""));
      if (in == null) {
        continue; // swagger-parser reports the bad "in"
      }
      JsonNode p = t.node();
      JsonNode schema =
          p.has("schema")
              ? refs.inline(p.get("schema"), t.pointer() + "/schema")
              : firstContentSchema(p.path("content"));
      boolean required = in == ParameterLocation.PATH || p.path("required").asBoolean(false);
      out.add(
          new Parameter(p.get("name").textValue(), in, required, schema, text(p, "description")));
    }
    return out;
  }

  private static @Nullable ParameterLocation location(String in) {
    return switch (in) {
      case "query" -> ParameterLocation.QUERY;
      case "header" -> ParameterLocation.HEADER;
      case "path" -> ParameterLocation.PATH;
      case "cookie" -> ParameterLocation.COOKIE;
      default -> null;
    };
  }

  private @Nullable JsonNode firstContentSchema(JsonNode content) {
    Iterator<JsonNode> media = content.elements();
    return media.hasNext() ? refs.inline(media.next().get("schema")) : null;
  }

  @Nullable RequestBody requestBody(JsonNode operation, String operationPointer) {
    if (!operation.has("requestBody")) {
      return null;
    }
    Refs.Target t = refs.follow(operation.get("requestBody"), operationPointer + "/requestBody");
    if (t == null) {
      return null;
    }
    String mediaType = preferredMediaType(t.node().path("content"));
    if (mediaType == null) {
      return null;
    }
    JsonNode media = t.node().path("content").path(mediaType);
    JsonNode schema =
        refs.inline(
            media.get("schema"),
            JsonPointers.append(t.pointer() + "/content", mediaType) + "/schema");
    return new RequestBody(
        mediaType, schema, t.node().path("required").asBoolean(false), example(media, schema));
  }

  /** Responses by status in document order. */
  Map<String, ResponseDefinition> responses(JsonNode operation, String operationPointer) {
    Map<String, ResponseDefinition> out = new LinkedHashMap<>();
    JsonNode responses = operation.path("responses");
    for (Map.Entry<String, JsonNode> e : responses.properties()) {
      if (e.getKey().startsWith("x-")) {
        continue;
      }
      Refs.Target t =
          refs.follow(
              e.getValue(), JsonPointers.append(operationPointer + "/responses", e.getKey()));
      if (t == null) {
        continue;
      }
      String mediaType = preferredMediaType(t.node().path("content"));
      JsonNode media = mediaType == null ? null : t.node().path("content").path(mediaType);
      JsonNode schema =
          media == null || mediaType == null
              ? null
              : refs.inline(
                  media.get("schema"),
                  JsonPointers.append(t.pointer() + "/content", mediaType) + "/schema");
      JsonNode example = media == null ? null : example(media, schema);
      out.put(
          e.getKey(),
          new ResponseDefinition(
              e.getKey(), text(t.node(), "description"), mediaType, schema, example));
    }
    return out;
  }

  /**
   * application/json, else a "+json" type, else the first declared; null when there is no content.
   */
  static @Nullable String preferredMediaType(JsonNode content) {
    String first = null;
    String json = null;
    for (Iterator<String> it = content.fieldNames(); it.hasNext(); ) {
      String type = it.next();
      String bare = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
      if (bare.equals("application/json")) {
        return type;
      }
      if (json == null && bare.endsWith("+json")) {
        json = type;
      }
      if (first == null) {
        first = type;
      }
    }
    return json != null ? json : first;
  }

  static boolean isJson(String mediaType) {
    String bare = mediaType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return bare.equals("application/json")
        || bare.endsWith("+json")
        || bare.equals("*/*")
        || bare.equals("application/*");
  }

  /** The media type's example, else the first of its examples, else the schema's. */
  private @Nullable JsonNode example(JsonNode media, @Nullable JsonNode schema) {
    if (media.has("example")) {
      return media.get("example").deepCopy();
    }
    Iterator<Map.Entry<String, JsonNode>> examples = media.path("examples").properties().iterator();
    if (examples.hasNext()) {
      Map.Entry<String, JsonNode> first = examples.next();
      Refs.Target t = refs.follow(first.getValue(), "");
      if (t != null && t.node().has("value")) {
        return t.node().get("value").deepCopy();
      }
    }
    if (schema != null && schema.has("example")) {
      return schema.get("example").deepCopy();
    }
    if (schema != null && schema.path("examples").isArray() && !schema.get("examples").isEmpty()) {
      return schema.get("examples").get(0).deepCopy();
    }
    return null;
  }

  static @Nullable String text(JsonNode node, String member) {
    JsonNode value = node.get(member);
    return value != null && value.isTextual() ? value.textValue() : null;
  }
}
