package dev.extsvc.runtime.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.support.SecretNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a store indexes for search ({@link InvocationQuery#text()}): the scalar values of a stored
 * JSON document (a request, a synchronous answer, a callback body), one per line. Left out, so that
 * no secret or token is ever indexed: values under secret-looking names (those masked in what is
 * stored: {@code token}, {@code secret}, {@code password}, ...), URLs (the callback URLs written
 * into a request carry their tokens), booleans, and very long values. Stores that index call it
 * when they write the document; every store matches by the same rule ({@link #matches}).
 */
public final class SearchText {
  /** Longer values are not indexed: nobody searches for a paragraph. */
  static final int MAX_VALUE = 200;

  /** At most this much text per document. */
  static final int MAX_TEXT = 8192;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What separates words: anything but letters and digits (compiled once, not per document). */
  private static final Pattern SEPARATORS = Pattern.compile("[^\\p{L}\\p{N}]+");

  private SearchText() {}

  /** The text to index for a stored JSON document; empty when it is not JSON or holds nothing. */
  public static String of(@Nullable String json) {
    if (json == null || json.isBlank()) {
      return "";
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    collect(root, out);
    return out.toString();
  }

  private static void collect(@Nullable JsonNode node, StringBuilder out) {
    if (node == null || out.length() >= MAX_TEXT) {
      return;
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (!SecretNames.DEFAULTS.secret(e.getKey())) {
          collect(e.getValue(), out);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, out));
    } else if (node.isTextual() || node.isNumber()) {
      String v = node.asText().strip();
      String lower = v.toLowerCase(Locale.ROOT);
      if (!v.isEmpty()
          && v.length() <= MAX_VALUE
          && !lower.startsWith("http://")
          && !lower.startsWith("https://")
          && !v.contains(SecretNames.MASK)) {
        out.append(v).append('\n');
      }
    }
  }

  /** The words a store indexes for a stored JSON document, space-separated ({@link #words}). */
  public static String indexedWords(@Nullable String json) {
    return String.join(" ", words(of(json)));
  }

  /**
   * The words of a search, as every store matches them: letters and digits, lower case; a value
   * matches an invocation when its stored documents (the request, the answer, the callbacks) hold
   * every word between them.
   */
  public static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    for (String w : SEPARATORS.split(text.toLowerCase(Locale.ROOT))) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }

  /** Whether indexed text holds every word of the search (the in-memory store's rule). */
  public static boolean matches(String indexed, String search) {
    List<String> have = words(indexed);
    return have.containsAll(words(search));
  }
}
