package dev.extsvc.codegen;

import org.jspecify.annotations.Nullable;

/**
 * Spec descriptions as Javadoc text: whatever they contain must neither end the comment nor break
 * doclint.
 */
final class Docs {
  private Docs() {}

  static String escape(String text) {
    return text.strip()
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("*/", "*&#47;")
        .replace("@", "&#64;")
        .replace("\r\n", "\n");
  }

  /** The escaped text ending in a period and a newline, or "" when there is none. */
  static String sentence(@Nullable String text) {
    if (text == null || text.isBlank()) {
      return "";
    }
    String s = escape(text);
    return s + (s.endsWith(".") || s.endsWith("!") || s.endsWith("?") ? "" : ".") + "\n";
  }

  /** Text for an {@code @param} or {@code @return} tag: escaped, on one line. */
  static String inline(String text) {
    return escape(text).replace('\n', ' ');
  }
}
