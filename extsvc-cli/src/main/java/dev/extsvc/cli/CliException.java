package dev.extsvc.cli;

/**
 * A failure the CLI reports as one line ("error: ...") with exit code 1; its message says what and
 * the fix.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }
}
