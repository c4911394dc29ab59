package dev.extsvc.runtime.credentials;

import java.util.Map;
import java.util.Objects;

/** A fixed token sent as {@code Authorization: Bearer ...}. */
public record BearerToken(String name, Secret token, Map<String, Secret> headers)
    implements Credential {
  public BearerToken {
    Checks.checkName(name);
    Objects.requireNonNull(token, "token");
    headers = Checks.checkHeaders(headers);
  }

  public BearerToken(String name, Secret token) {
    this(name, token, Map.of());
  }

  @Override
  public Kind kind() {
    return Kind.BEARER;
  }
}
