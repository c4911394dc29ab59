package dev.extsvc.runtime.credentials;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Mutual TLS: the client certificate and key come from a key store (PKCS#12 or JKS); the service's
 * certificate is checked against the trust store, or the JDK's default trust when there is none.
 */
public record MutualTls(
    String name,
    Path keyStore,
    Secret keyStorePassword,
    @Nullable Path trustStore,
    @Nullable Secret trustStorePassword,
    Map<String, Secret> headers)
    implements Credential {

  public MutualTls {
    Checks.checkName(name);
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(keyStorePassword, "keyStorePassword");
    if (trustStore != null && trustStorePassword == null) {
      throw new IllegalArgumentException(
          "credential " + name + ": a trust store needs its password");
    }
    headers = Checks.checkHeaders(headers);
  }

  public MutualTls(
      String name,
      Path keyStore,
      Secret keyStorePassword,
      @Nullable Path trustStore,
      @Nullable Secret trustStorePassword) {
    this(name, keyStore, keyStorePassword, trustStore, trustStorePassword, Map.of());
  }

  @Override
  public Kind kind() {
    return Kind.MUTUAL_TLS;
  }
}
