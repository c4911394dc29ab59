package dev.extsvc.codegen;

import com.palantir.javapoet.NameAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Readable Java identifiers from whatever a spec calls things (operationIds, keys, property names,
 * values).
 */
final class Names {
  /**
   * Simple names that a generated type must not take: a same-package type would shadow java.lang's,
   * and the generated code refers to these unqualified.
   */
  static final Set<String> RESERVED_TYPE_NAMES =
      Set.of(
          "Object",
          "String",
          "Integer",
          "Long",
          "Double",
          "Float",
          "Boolean",
          "Byte",
          "Character",
          "Short",
          "Number",
          "Math",
          "System",
          "Class",
          "Enum",
          "Record",
          "Override",
          "Deprecated",
          "SuppressWarnings",
          "Exception",
          "RuntimeException",
          "Error",
          "Throwable",
          "Void",
          "Iterable",
          "Runnable",
          "Thread",
          "Module",
          "Package",
          "StringBuilder",
          "Comparable",
          "CharSequence",
          "FunctionalInterface",
          "SafeVarargs");

  /** Record component names that would clash with {@link Object}'s methods. */
  static final Set<String> RESERVED_MEMBER_NAMES =
      Set.of(
          "hashCode",
          "toString",
          "equals",
          "getClass",
          "notify",
          "notifyAll",
          "wait",
          "clone",
          "finalize");

  private Names() {}

  /** "submit-application" → "SubmitApplication"; "2fa" → "_2fa" (via {@link #identifier}). */
  static String upperCamel(String text) {
    StringBuilder out = new StringBuilder();
    for (String word : words(text)) {
      // All-caps words read as words: "URL" → "Url", so "callbackURL" and "CALLBACK_URL" agree.
      String rest = word.substring(1);
      out.append(Character.toUpperCase(word.charAt(0)))
          .append(
              word.equals(word.toUpperCase(Locale.ROOT)) ? rest.toLowerCase(Locale.ROOT) : rest);
    }
    return identifier(out.toString(), "Type");
  }

  /** "Submit_Application" → "submitApplication". */
  static String lowerCamel(String text) {
    String upper = upperCamel(text);
    return Character.toLowerCase(upper.charAt(0)) + upper.substring(1);
  }

  /** "in-review" → "IN_REVIEW"; "inReview" → "IN_REVIEW". */
  static String constant(String text) {
    List<String> parts = new ArrayList<>();
    for (String word : words(text)) {
      parts.add(word.toUpperCase(Locale.ROOT));
    }
    return identifier(String.join("_", parts), "EMPTY");
  }

  /** Non-empty and a valid identifier start; keywords are left to {@link NameAllocator}. */
  private static String identifier(String text, String ifEmpty) {
    if (text.isEmpty()) {
      return ifEmpty;
    }
    return NameAllocator.toJavaIdentifier(text);
  }

  /**
   * Splits on anything not a letter or digit, and on lower-to-upper case changes, keeping digits
   * attached.
   */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (!Character.isLetterOrDigit(c)) {
        flush(word, words);
        continue;
      }
      if (Character.isUpperCase(c) && !word.isEmpty()) {
        int prev = word.codePointBefore(word.length());
        boolean nextLower = i < text.length() && Character.isLowerCase(text.codePointAt(i));
        if (Character.isLowerCase(prev) || Character.isUpperCase(prev) && nextLower) {
          flush(word, words);
        }
      }
      word.appendCodePoint(c);
    }
    flush(word, words);
    return words;
  }

  private static void flush(StringBuilder word, List<String> words) {
    if (!word.isEmpty()) {
      words.add(word.toString());
      word.setLength(0);
    }
  }

  /** An allocator that never hands out the given names. */
  static NameAllocator allocator(Set<String> reserved) {
    NameAllocator names = new NameAllocator();
    reserved.stream().sorted().forEach(r -> names.newName(r, new Object()));
    return names;
  }
}
