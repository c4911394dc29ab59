package dev.extsvc.runtime;

import dev.extsvc.runtime.credentials.ApiKey;
import dev.extsvc.runtime.credentials.BasicAuth;
import dev.extsvc.runtime.credentials.BearerToken;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.credentials.MutualTls;
import dev.extsvc.runtime.credentials.OAuth2ClientCredentials;
import dev.extsvc.spec.SecurityScheme;
import java.util.List;

/**
 * What one operation of a registered service asks for in credentials, and whether the service's
 * configured credentials cover it. Names and kinds only, never a secret.
 *
 * @param expects e.g. "http bearer 'bearerAuth' (bearer or oauth2ClientCredentials)", or "no
 *     credential"
 * @param credentials the names of the credentials the service uses
 * @param satisfied false when a call to the operation would be refused before anything is sent
 */
public record CredentialCheck(
    String operation, String expects, List<String> credentials, boolean satisfied) {
  public CredentialCheck {
    credentials = List.copyOf(credentials);
  }

  /**
   * Whether a configured credential satisfies one security scheme of a spec, as callouts decide it:
   * an API key by its place and name, bearer and OAuth 2.0 client credentials for {@code http
   * bearer}, {@code oauth2} and {@code openIdConnect}, basic for {@code http basic}, mutual TLS for
   * {@code mutualTLS}.
   */
  public static boolean satisfies(SecurityScheme s, Credential c) {
    return switch (s.type()) {
      case "apiKey" ->
          c instanceof ApiKey k
              && s.in() != null
              && s.parameterName() != null
              && k.in().name().equalsIgnoreCase(s.in())
              && (k.in() == ApiKey.In.HEADER
                  ? k.parameterName().equalsIgnoreCase(s.parameterName())
                  : k.parameterName().equals(s.parameterName()));
      case "http" ->
          "bearer".equals(s.httpScheme())
              ? c instanceof BearerToken || c instanceof OAuth2ClientCredentials
              : "basic".equals(s.httpScheme()) && c instanceof BasicAuth;
      case "oauth2", "openIdConnect" ->
          c instanceof OAuth2ClientCredentials || c instanceof BearerToken;
      case "mutualTLS" -> c instanceof MutualTls;
      default -> false;
    };
  }
}
