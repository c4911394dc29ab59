package dev.extsvc.runtime.credentials;

import java.util.LinkedHashMap;
import java.util.Map;

/** Validation shared by the credential records. */
final class Checks {
  private Checks() {}

  static String checkName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException(
          "credential name '" + name + "' must be letters, digits, '.', '_' or '-'");
    }
    return name;
  }

  static Map<String, Secret> checkHeaders(Map<String, Secret> headers) {
    for (String h : headers.keySet()) {
      if (!h.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new IllegalArgumentException("'" + h + "' is not a header name");
      }
    }
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }
}
