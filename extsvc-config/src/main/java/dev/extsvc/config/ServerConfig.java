package dev.extsvc.config;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.credentials.Secret;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where the standalone server listens and keeps its data.
 *
 * @param publicUrl the base URL callback senders use; null for http://HOST:PORT
 * @param callbackPath where callbacks are received under it: {@code
 *     {publicUrl}{callbackPath}/{token}}
 * @param postgresUrl a JDBC URL to use PostgreSQL instead of SQLite under {@code data}
 * @param slowClients deadlines for slow clients; null fields keep the server's defaults
 * @param nodeId this node's name among those sharing the store; null for a generated one
 * @param adminToken the token the REST API and the console require ({@code ${env:...}} or {@code
 *     ${file:...}}); required off loopback
 * @param httpLimits the longest request line and largest headers served; null fields keep the
 *     server's defaults
 */
public record ServerConfig(
    String host,
    int port,
    @Nullable String publicUrl,
    Path data,
    @Nullable String postgresUrl,
    @Nullable String postgresUser,
    @Nullable Secret postgresPassword,
    SlowClients slowClients,
    String callbackPath,
    @Nullable String nodeId,
    @Nullable Secret adminToken,
    HttpLimits httpLimits) {

  public static final ServerConfig DEFAULTS =
      new ServerConfig(
          "127.0.0.1",
          8080,
          null,
          Path.of("extsvc-data"),
          null,
          null,
          null,
          SlowClients.DEFAULTS,
          ExternalServices.DEFAULT_CALLBACK_PATH,
          null,
          null,
          HttpLimits.DEFAULTS);

  /** A server section with a generated node id, without admin token or HTTP limits. */
  public ServerConfig(
      String host,
      int port,
      @Nullable String publicUrl,
      Path data,
      @Nullable String postgresUrl,
      @Nullable String postgresUser,
      @Nullable Secret postgresPassword,
      SlowClients slowClients,
      String callbackPath) {
    this(
        host,
        port,
        publicUrl,
        data,
        postgresUrl,
        postgresUser,
        postgresPassword,
        slowClients,
        callbackPath,
        null,
        null,
        HttpLimits.DEFAULTS);
  }

  /** A server section with the default callback path. */
  public ServerConfig(
      String host,
      int port,
      @Nullable String publicUrl,
      Path data,
      @Nullable String postgresUrl,
      @Nullable String postgresUser,
      @Nullable Secret postgresPassword,
      SlowClients slowClients) {
    this(
        host,
        port,
        publicUrl,
        data,
        postgresUrl,
        postgresUser,
        postgresPassword,
        slowClients,
        ExternalServices.DEFAULT_CALLBACK_PATH);
  }

  /**
   * The longest request line ({@code maxRequestLine}, else 414) and the most bytes of headers
   * ({@code maxHeaderSize}, else 431) the server serves. Null: the server's default (4096, 16384).
   */
  public record HttpLimits(@Nullable Integer maxRequestLine, @Nullable Integer maxHeaderSize) {
    public static final HttpLimits DEFAULTS = new HttpLimits(null, null);

    public HttpLimits {
      if (maxRequestLine != null && maxRequestLine < 256) {
        throw new IllegalArgumentException("maxRequestLine must be at least 256 (bytes)");
      }
      if (maxHeaderSize != null && maxHeaderSize < 1024) {
        throw new IllegalArgumentException("maxHeaderSize must be at least 1024 (bytes)");
      }
    }
  }

  /**
   * When the server closes a slow client's connection: headers not complete within {@code
   * headerTimeout} of the request's first byte; a body slower than {@code minBodyRate} bytes/s once
   * {@code bodyGrace} has passed; no request for {@code idleTimeout}. Null: the server's default
   * (10 s, 1024 bytes/s after 5 s, 60 s).
   */
  public record SlowClients(
      @Nullable Duration headerTimeout,
      @Nullable Integer minBodyRate,
      @Nullable Duration bodyGrace,
      @Nullable Duration idleTimeout) {
    public static final SlowClients DEFAULTS = new SlowClients(null, null, null, null);

    public SlowClients {
      if (headerTimeout != null && !headerTimeout.isPositive()) {
        throw new IllegalArgumentException("headerTimeout must be positive");
      }
      if (minBodyRate != null && minBodyRate < 1) {
        throw new IllegalArgumentException("minBodyRate must be at least 1 (bytes per second)");
      }
      if (bodyGrace != null && bodyGrace.isNegative()) {
        throw new IllegalArgumentException("bodyGrace must not be negative");
      }
      if (idleTimeout != null && !idleTimeout.isPositive()) {
        throw new IllegalArgumentException("idleTimeout must be positive");
      }
    }
  }

  public ServerConfig {
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    if (publicUrl != null && !publicUrl.matches("https?://.+")) {
      throw new IllegalArgumentException("publicUrl must be an http or https URL");
    }
    if (postgresUrl != null && !postgresUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("postgres url must start with jdbc:postgresql:");
    }
    ExternalServices.builder()
        .callbackPath(callbackPath); // the runtime's own rule: what it refuses, so do we
    if (nodeId != null) {
      ExternalServices.builder().nodeId(nodeId);
    }
  }
}
