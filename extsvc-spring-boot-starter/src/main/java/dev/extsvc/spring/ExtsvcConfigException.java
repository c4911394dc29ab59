package dev.extsvc.spring;

/**
 * A bad {@code extsvc.*} setting: names the property and says what is wrong, never a secret's
 * value.
 */
final class ExtsvcConfigException extends RuntimeException {
  private final String property;

  ExtsvcConfigException(String property, String problem) {
    super(property + ": " + problem);
    this.property = property;
  }

  String property() {
    return property;
  }
}
