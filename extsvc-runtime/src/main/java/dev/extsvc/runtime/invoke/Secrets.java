package dev.extsvc.runtime.invoke;

import dev.extsvc.runtime.credentials.ApiKey;
import dev.extsvc.runtime.credentials.BasicAuth;
import dev.extsvc.runtime.credentials.BearerToken;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.credentials.MutualTls;
import dev.extsvc.runtime.credentials.OAuth2ClientCredentials;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.credentials.SecretUnavailableException;
import java.util.ArrayList;
import java.util.List;

/** Start-up checks that a credential's secrets can be read; the values are read and dropped. */
final class Secrets {
  private Secrets() {}

  static void check(Credential c) {
    List<Secret> secrets = new ArrayList<>(c.headers().values());
    switch (c) {
      case ApiKey k -> secrets.add(k.value());
      case BearerToken b -> secrets.add(b.token());
      case BasicAuth b -> secrets.add(b.password());
      case OAuth2ClientCredentials o -> secrets.add(o.clientSecret());
      case MutualTls t -> {
        secrets.add(t.keyStorePassword());
        if (t.trustStorePassword() != null) {
          secrets.add(t.trustStorePassword());
        }
      }
    }
    for (Secret s : secrets) {
      try {
        s.value();
      } catch (SecretUnavailableException e) {
        throw new SecretUnavailableException("credential " + c.name() + ": " + e.getMessage());
      }
    }
  }
}
