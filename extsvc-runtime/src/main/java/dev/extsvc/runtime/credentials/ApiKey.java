package dev.extsvc.runtime.credentials;

import java.util.Map;
import java.util.Objects;

/**
 * An API key sent in a header, a query parameter or a cookie.
 *
 * @param parameterName the header, query parameter or cookie name, e.g. "X-API-Key"
 */
public record ApiKey(
    String name, In in, String parameterName, Secret value, Map<String, Secret> headers)
    implements Credential {

  /** Where the key goes. */
  public enum In {
    HEADER,
    QUERY,
    COOKIE
  }

  public ApiKey {
    Checks.checkName(name);
    Objects.requireNonNull(in, "in");
    if (parameterName == null || parameterName.isBlank()) {
      throw new IllegalArgumentException(
          "credential " + name + ": the API key's parameter name is required");
    }
    Objects.requireNonNull(value, "value");
    headers = Checks.checkHeaders(headers);
  }

  public ApiKey(String name, In in, String parameterName, Secret value) {
    this(name, in, parameterName, value, Map.of());
  }

  @Override
  public Kind kind() {
    return Kind.API_KEY;
  }
}
