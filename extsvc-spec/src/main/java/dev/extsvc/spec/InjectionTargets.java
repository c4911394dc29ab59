package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Body injection by JSON pointer, and parsing of {@link InjectionTarget#id()}. */
final class InjectionTargets {
  private InjectionTargets() {}

  static InjectionTarget fromId(String id) {
    int colon = id.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "injection target id '" + id + "' has no kind (query:, header:, path:, body:)");
    }
    String kind = id.substring(0, colon);
    String rest = id.substring(colon + 1);
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("injection target id '" + id + "' has no name or pointer");
    }
    return switch (kind) {
      case "query" -> new InjectionTarget.Query(rest);
      case "header" -> new InjectionTarget.Header(rest);
      case "path" -> new InjectionTarget.Path(rest);
      case "body" -> {
        if (JsonPointers.firstError(rest) >= 0) {
          throw new IllegalArgumentException(
              "injection target id '" + id + "' has an invalid JSON pointer");
        }
        yield new InjectionTarget.Body(rest);
      }
      default ->
          throw new IllegalArgumentException(
              "injection target id '"
                  + id
                  + "' has unknown kind '"
                  + kind
                  + "' (expected query, header, path, body)");
    };
  }

  /**
   * Writes {@code value} at {@code pointer}, creating the body and missing parents: an object, or
   * an array when the next token is an index or "-" (so "/hooks/0" on an empty body gives
   * {"hooks":["..."]}).
   */
  static void injectBody(RequestParts request, String pointer, String value) {
    if (JsonPointers.firstError(pointer) >= 0) {
      throw new IllegalArgumentException("'" + pointer + "' is not a JSON pointer");
    }
    List<String> tokens = JsonPointers.tokens(pointer);
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException(
          "cannot write a URL as the whole request body; the pointer is empty");
    }
    JsonNode root = request.body();
    if (root == null || root.isNull() || root.isMissingNode()) {
      root = newContainer(tokens.get(0));
      request.body(root);
    }
    JsonNode current = root;
    String at = "";
    for (int i = 0; i < tokens.size() - 1; i++) {
      current = child(current, tokens.get(i), tokens.get(i + 1), at);
      at = JsonPointers.append(at, tokens.get(i));
    }
    set(current, tokens.get(tokens.size() - 1), TextNode.valueOf(value), at);
  }

  static @Nullable String readBody(RequestParts request, String pointer) {
    return JsonPointers.text(request.body(), pointer);
  }

  /** The container under {@code token} of {@code parent}, created when missing. */
  private static JsonNode child(JsonNode parent, String token, String next, String at) {
    JsonNode existing = lookUp(parent, token, at);
    if (existing != null && !existing.isNull()) {
      if (!existing.isContainerNode()) {
        String where = JsonPointers.append(at, token);
        throw new IllegalArgumentException(
            "cannot write below "
                + where
                + " in the request body: it holds "
                + kind(existing)
                + ", not an object or array");
      }
      return existing;
    }
    JsonNode created = newContainer(next);
    set(parent, token, created, at);
    return created;
  }

  /**
   * The existing child, or null when it is missing; fails when {@code token} cannot address an
   * element.
   */
  private static @Nullable JsonNode lookUp(JsonNode parent, String token, String at) {
    if (parent instanceof ArrayNode array) {
      if (token.equals("-")) {
        return null;
      }
      int index = index(array, token, at);
      return index < array.size() ? array.get(index) : null;
    }
    return parent.get(token);
  }

  private static void set(JsonNode parent, String token, JsonNode value, String at) {
    if (parent instanceof ObjectNode object) {
      object.set(token, value);
    } else if (parent instanceof ArrayNode array) {
      int index = token.equals("-") ? array.size() : index(array, token, at);
      if (index == array.size()) {
        array.add(value);
      } else {
        array.set(index, value);
      }
    } else {
      throw new IllegalArgumentException(
          "cannot write below "
              + (at.isEmpty() ? "the root" : at)
              + " in the request body: it holds "
              + kind(parent)
              + ", not an object or array");
    }
  }

  /** A valid index into {@code array}: an existing element or the next one (append). */
  private static int index(ArrayNode array, String token, String at) {
    String where = JsonPointers.append(at, token);
    if (!JsonPointers.isIndex(token)) {
      throw new IllegalArgumentException(
          "'" + token + "' at " + where + " is not an array index (use a number or '-' to append)");
    }
    int index = Integer.parseInt(token);
    if (index > array.size()) {
      throw new IllegalArgumentException(
          "index "
              + index
              + " at "
              + where
              + " is out of range: the array has "
              + array.size()
              + " elements (an index may be at most the size, to append)");
    }
    return index;
  }

  private static JsonNode newContainer(String nextToken) {
    return nextToken.equals("-") || JsonPointers.isIndex(nextToken)
        ? JsonNodeFactory.instance.arrayNode()
        : JsonNodeFactory.instance.objectNode();
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
