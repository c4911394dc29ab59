package dev.extsvc.config;

import dev.extsvc.runtime.credentials.Secret;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where the standalone server listens and keeps its data.
 *
 * @param publicUrl the base URL callback senders use; null for http://HOST:PORT
 * @param postgresUrl a JDBC URL to use PostgreSQL instead of SQLite under {@code data}
 */
public record ServerConfig(
    String host,
    int port,
    @Nullable String publicUrl,
    Path data,
    @Nullable String postgresUrl,
    @Nullable String postgresUser,
    @Nullable Secret postgresPassword) {

  public static final ServerConfig DEFAULTS =
      new ServerConfig("127.0.0.1", 8080, null, Path.of("extsvc-data"), null, null, null);

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
  }
}
