package dev.extsvc.config;

/**
 * A configuration that cannot be used, with where: "extsvc.yaml:12:5: services.Acme.endpoint: ...",
 * or the environment variable that set the value.
 */
public final class ConfigException extends RuntimeException {
  private final String source;
  private final int line;
  private final int column;

  public ConfigException(String source, int line, int column, String message) {
    super(source + (line > 0 ? ":" + line + ":" + column : "") + ": " + message);
    this.source = source;
    this.line = line;
    this.column = column;
  }

  /** The file, or "environment variable NAME". */
  public String source() {
    return source;
  }

  /** 1-based; 0 when the value did not come from the file. */
  public int line() {
    return line;
  }

  public int column() {
    return column;
  }
}
