package dev.extsvc.runtime.credentials;

import java.util.Map;

/**
 * A named way to authenticate callouts, referenced by name from a service's settings. Every kind
 * can add custom headers to each callout.
 */
public sealed interface Credential
    permits ApiKey, BearerToken, BasicAuth, OAuth2ClientCredentials, MutualTls {

  /** The name services refer to it by. */
  String name();

  /** Extra headers sent with every callout that uses this credential; values may be secrets. */
  Map<String, Secret> headers();

  Kind kind();

  /** The kinds of credential, named as in configuration. */
  enum Kind {
    API_KEY("apiKey"),
    BEARER("bearer"),
    BASIC("basic"),
    OAUTH2_CLIENT_CREDENTIALS("oauth2ClientCredentials"),
    MUTUAL_TLS("mutualTls");

    private final String configName;

    Kind(String configName) {
      this.configName = configName;
    }

    /** As written in configuration ({@code type: bearer}). */
    public String configName() {
      return configName;
    }
  }
}
