package dev.extsvc.spec;

/**
 * A runtime expression or template that does not follow the OpenAPI grammar, with the offending
 * index.
 */
public final class ExpressionException extends IllegalArgumentException {
  private final String text;
  private final int index;

  public ExpressionException(String text, int index, String reason) {
    super(reason + " at index " + index + " of '" + text + "'");
    this.text = text;
    this.index = index;
  }

  public String text() {
    return text;
  }

  /** 0-based index into {@link #text()} where parsing failed. */
  public int index() {
    return index;
  }
}
