package dev.extsvc.runtime.credentials;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * OAuth 2.0 client credentials: a token is fetched from the token endpoint (client id and secret
 * sent as HTTP basic), kept until shortly before it expires, fetched again once when the service
 * answers 401, and sent as {@code Authorization: Bearer ...}.
 *
 * @param scopes requested scopes; empty to ask for the client's defaults
 */
public record OAuth2ClientCredentials(
    String name,
    URI tokenUrl,
    String clientId,
    Secret clientSecret,
    List<String> scopes,
    Map<String, Secret> headers)
    implements Credential {

  public OAuth2ClientCredentials {
    Checks.checkName(name);
    Objects.requireNonNull(tokenUrl, "tokenUrl");
    if (!"https".equals(tokenUrl.getScheme()) && !"http".equals(tokenUrl.getScheme())
        || tokenUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "credential " + name + ": tokenUrl must be an absolute http(s) URL");
    }
    if (clientId == null || clientId.isEmpty()) {
      throw new IllegalArgumentException("credential " + name + ": clientId is required");
    }
    Objects.requireNonNull(clientSecret, "clientSecret");
    scopes = List.copyOf(scopes);
    headers = Checks.checkHeaders(headers);
  }

  public OAuth2ClientCredentials(String name, URI tokenUrl, String clientId, Secret clientSecret) {
    this(name, tokenUrl, clientId, clientSecret, List.of(), Map.of());
  }

  @Override
  public Kind kind() {
    return Kind.OAUTH2_CLIENT_CREDENTIALS;
  }
}
