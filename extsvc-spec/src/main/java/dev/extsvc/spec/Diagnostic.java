package dev.extsvc.spec;

import java.util.Objects;

/**
 * One registration finding: what is wrong and where.
 *
 * @param pointer JSON pointer into the document ("" for the whole document)
 * @param line 1-based line in the document, 0 when unknown
 */
public record Diagnostic(Severity severity, String pointer, int line, String message) {
  public Diagnostic {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(message, "message");
  }

  public static Diagnostic error(String pointer, String message) {
    return new Diagnostic(Severity.ERROR, pointer, 0, message);
  }

  public static Diagnostic warning(String pointer, String message) {
    return new Diagnostic(Severity.WARNING, pointer, 0, message);
  }

  Diagnostic atLine(int newLine) {
    return new Diagnostic(severity, pointer, newLine, message);
  }

  /** "ERROR line 12 (#/paths/~1a/post): message". */
  @Override
  public String toString() {
    return severity + (line > 0 ? " line " + line : "") + " (#" + pointer + "): " + message;
  }
}
