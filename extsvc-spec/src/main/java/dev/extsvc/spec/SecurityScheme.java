package dev.extsvc.spec;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code components/securitySchemes}: how the service wants callers to authenticate.
 *
 * @param name the scheme's name in the document
 * @param type as written: apiKey, http, oauth2, openIdConnect or mutualTLS
 * @param in for apiKey: header, query or cookie
 * @param parameterName for apiKey: the header, query parameter or cookie name
 * @param httpScheme for http: the scheme in lower case, such as "bearer" or "basic"
 * @param oauthFlows for oauth2: the names of the flows declared, such as "clientCredentials"
 */
public record SecurityScheme(
    String name,
    String type,
    @Nullable String in,
    @Nullable String parameterName,
    @Nullable String httpScheme,
    List<String> oauthFlows) {

  public SecurityScheme {
    oauthFlows = List.copyOf(oauthFlows);
  }

  /** A short human description, such as "http bearer" or "apiKey in header X-API-Key". */
  public String describe() {
    return switch (type) {
      case "apiKey" -> "apiKey in " + in + " " + parameterName;
      case "http" -> "http " + httpScheme;
      case "oauth2" -> "oauth2 " + String.join("/", oauthFlows);
      default -> type;
    };
  }
}
