package dev.extsvc.runtime;

/** The root of the runtime's exceptions: a message that says what failed and where. */
public class ExtsvcException extends RuntimeException {
  public ExtsvcException(String message) {
    super(message);
  }

  public ExtsvcException(String message, Throwable cause) {
    super(message, cause);
  }
}
