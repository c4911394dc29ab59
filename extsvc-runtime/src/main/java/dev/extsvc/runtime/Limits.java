package dev.extsvc.runtime;

/**
 * Bounds on what a callback may carry.
 *
 * @param maxBodyBytes larger bodies are answered 413
 * @param maxNestingDepth deeper JSON is answered 400
 * @param maxNumberLength longer number literals are answered 400
 */
public record Limits(int maxBodyBytes, int maxNestingDepth, int maxNumberLength) {
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

  public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_BODY_BYTES, 64, 100);

  public Limits {
    if (maxBodyBytes < 1 || maxNestingDepth < 1 || maxNumberLength < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }
}
