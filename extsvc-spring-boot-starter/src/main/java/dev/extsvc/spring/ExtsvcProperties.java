package dev.extsvc.spring;

import dev.extsvc.runtime.Acknowledgement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.util.unit.DataSize;

/**
 * The {@code extsvc.*} properties of an application's {@code application.yaml}: where callbacks
 * arrive, the store, and each external service with its spec, endpoint, credentials, timeouts and
 * acknowledgement.
 *
 * @param publicBaseUrl where senders reach this application, e.g. {@code https://app.example.com};
 *     unset, the application's own port on 127.0.0.1 (reachable from this machine only: for
 *     development and tests)
 * @param callbackPath where the callback endpoint is mounted on the application's server
 * @param handlerPackages packages whose handler types may be re-created besides handler beans
 */
@ConfigurationProperties("extsvc")
public record ExtsvcProperties(
    @Nullable String publicBaseUrl,
    @DefaultValue("/callbacks") String callbackPath,
    @DefaultValue Store store,
    @DefaultValue Outbound outbound,
    @DefaultValue CallbackTimeout callbackTimeout,
    @DefaultValue("120s") Duration syncTimeout,
    @DefaultValue("10s") Duration handlerTimeout,
    @DefaultValue List<String> handlerPackages,
    @DefaultValue Map<String, Credential> credentials,
    @DefaultValue Map<String, Service> services) {

  /** Where the store keeps its tables. */
  public enum StoreType {
    /** The application's DataSource when it has one, else an SQLite file. */
    AUTO,
    /** The application's DataSource (PostgreSQL or SQLite); its absence is an error. */
    DATASOURCE,
    /** An SQLite file of the store's own. */
    SQLITE
  }

  /**
   * @param sqliteFile the SQLite file when the store has one of its own
   */
  public record Store(
      @DefaultValue("AUTO") StoreType type,
      @DefaultValue("extsvc-data/extsvc.db") String sqliteFile) {}

  /**
   * Rules for every callout.
   *
   * @param allowAddresses address blocks always allowed, e.g. 10.20.0.0/16
   */
  public record Outbound(
      boolean allowPrivateNetworks,
      @DefaultValue List<String> allowAddresses,
      boolean allowSpecServers) {}

  /** Callback timeouts; unset means the runtime's defaults (24 h). */
  public record CallbackTimeout(
      @Name("default") @Nullable Duration defaultTimeout, @Nullable Duration max) {}

  /** Callout timeouts of one service. */
  public record Timeouts(
      @Nullable Duration connect, @Nullable Duration read, @Nullable Duration total) {}

  /**
   * One external service.
   *
   * @param name the service name when it differs from the key (names with spaces, such as "Acme
   *     Mortgages")
   * @param spec where its OpenAPI document is: a Spring resource location such as {@code
   *     classpath:acme.json}
   * @param client a generated client class (e.g. {@code com.example.acme.AcmeMortgages}) made a
   *     bean for it
   * @param endpoint where its callouts go
   */
  public record Service(
      @Nullable String name,
      @Nullable String spec,
      @Nullable String client,
      @Nullable String endpoint,
      @Nullable String credential,
      @DefaultValue List<String> credentials,
      @DefaultValue("SYNC") Acknowledgement acknowledgement,
      @DefaultValue Timeouts timeouts,
      @DefaultValue CallbackTimeout callbackTimeout,
      @Nullable DataSize maxResponseBytes,
      boolean allowPrivateNetwork) {}

  /**
   * A named credential, read by the runtime's {@code CredentialReader} as {@code extsvc.yaml}'s
   * are. Secrets ({@code token}, {@code password}, {@code value}, {@code client-secret}, {@code
   * key-store-password}, {@code trust-store-password}) are written as Spring placeholders such as
   * {@code ${ACME_TOKEN}}, or as a reference read at each callout, {@code \${env:NAME}} or {@code
   * \${file:/path}} (escaped so that Spring leaves it); they are never logged or stored.
   *
   * @param type bearer, basic, api-key, oauth2-client-credentials or mutual-tls
   * @param in for api-key: header, query or cookie
   * @param parameterName for api-key: the header, query parameter or cookie name
   * @param keyStore for mutual-tls: the client's key store file (PKCS#12, or JKS by extension)
   * @param trustStore for mutual-tls: the store the service's certificate is checked against;
   *     unset, the JDK's
   */
  public record Credential(
      @Nullable String type,
      @Nullable String token,
      @Nullable String username,
      @Nullable String password,
      @Nullable String in,
      @Nullable String parameterName,
      @Nullable String value,
      @Nullable String tokenUrl,
      @Nullable String clientId,
      @Nullable String clientSecret,
      @Nullable String keyStore,
      @Nullable String keyStorePassword,
      @Nullable String trustStore,
      @Nullable String trustStorePassword,
      @DefaultValue List<String> scopes,
      @DefaultValue Map<String, String> headers) {

    @Override
    public String toString() {
      return "Credential[type=" + type + "]"; // never the secrets
    }
  }
}
