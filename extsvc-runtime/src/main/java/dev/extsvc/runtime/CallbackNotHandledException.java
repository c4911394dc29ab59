package dev.extsvc.runtime;

/**
 * Thrown by a handler that does not handle a callback key; the sender gets 404 "Callback not
 * handled: KEY" and the invocation stays PENDING.
 */
public final class CallbackNotHandledException extends ExtsvcException {
  private final String key;

  public CallbackNotHandledException(String key) {
    super("Callback not handled: " + key);
    this.key = key;
  }

  /** Never null: the constructor sets it. */
  @Override
  public String getMessage() {
    return java.util.Objects.requireNonNull(super.getMessage());
  }

  public String key() {
    return key;
  }
}
