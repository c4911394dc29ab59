package dev.extsvc.spec;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** RFC 6901 JSON pointers as text: splitting, escaping, and reading a value as a string. */
final class JsonPointers {
  private JsonPointers() {}

  /** Appends one unescaped reference token to a pointer. */
  static String append(String pointer, String token) {
    return pointer + "/" + escape(token);
  }

  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  /**
   * Index of the first character that makes {@code pointer} invalid, or -1 when it is valid. Only
   * '~' needs checking besides the leading '/': it must be followed by 0 or 1.
   */
  static int firstError(String pointer) {
    if (!pointer.isEmpty() && pointer.charAt(0) != '/') {
      return 0;
    }
    for (int i = 0; i < pointer.length(); i++) {
      if (pointer.charAt(i) == '~') {
        char next = i + 1 < pointer.length() ? pointer.charAt(i + 1) : 0;
        if (next != '0' && next != '1') {
          return i;
        }
      }
    }
    return -1;
  }

  /** The unescaped reference tokens of a valid pointer; "" gives none. */
  static List<String> tokens(String pointer) {
    List<String> tokens = new ArrayList<>();
    if (pointer.isEmpty()) {
      return tokens;
    }
    // split with a negative limit keeps empty tokens: "/a//b" has an empty middle token
    String[] raw = pointer.substring(1).split("/", -1);
    for (String t : raw) {
      // ~1 first, so "~01" becomes "~1" and not "/" (RFC 6901, section 4)
      tokens.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }

  /** An array index per RFC 6901: "0" or digits without a leading zero. */
  static boolean isIndex(String token) {
    if (token.isEmpty() || token.length() > 9) {
      return false;
    }
    if (token.length() > 1 && token.charAt(0) == '0') {
      return false;
    }
    return token.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /**
   * The value at {@code pointer} as text: a string as is, other JSON as JSON, absent or null as
   * null.
   */
  static @Nullable String text(@Nullable JsonNode root, String pointer) {
    if (root == null) {
      return null;
    }
    JsonNode node = pointer.isEmpty() ? root : root.at(JsonPointer.compile(pointer));
    if (node.isMissingNode() || node.isNull()) {
      // a JSON null where a URL is expected means "none given", the same as absent
      return null;
    }
    return node.isTextual() ? node.textValue() : node.toString();
  }
}
