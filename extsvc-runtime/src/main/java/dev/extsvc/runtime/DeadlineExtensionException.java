package dev.extsvc.runtime;

/**
 * An invocation's deadline could not be extended: why is in {@link #reason()} (which the REST API
 * answers as 404, 409 or 400) and the message says it in words.
 */
public final class DeadlineExtensionException extends ExtsvcException {
  private static final long serialVersionUID = 1L;

  /** Why an extension was refused. */
  public enum Reason {
    /** No invocation has that id. */
    UNKNOWN_INVOCATION,
    /**
     * The invocation is COMPLETED, TIMED_OUT or CANCELLED (or synchronous): nothing to wait for.
     */
    FINAL,
    /**
     * The duration is not positive, or the new deadline would pass the maximum callback timeout.
     */
    INVALID
  }

  private final Reason reason;

  public DeadlineExtensionException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
