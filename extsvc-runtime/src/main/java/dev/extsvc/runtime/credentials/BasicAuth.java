package dev.extsvc.runtime.credentials;

import java.util.Map;
import java.util.Objects;

/** HTTP basic authentication: {@code Authorization: Basic base64(user:password)}. */
public record BasicAuth(String name, String username, Secret password, Map<String, Secret> headers)
    implements Credential {
  public BasicAuth {
    Checks.checkName(name);
    if (username == null || username.isEmpty() || username.contains(":")) {
      throw new IllegalArgumentException(
          "credential " + name + ": the user name is required and has no ':'");
    }
    Objects.requireNonNull(password, "password");
    headers = Checks.checkHeaders(headers);
  }

  public BasicAuth(String name, String username, Secret password) {
    this(name, username, password, Map.of());
  }

  @Override
  public Kind kind() {
    return Kind.BASIC;
  }
}
