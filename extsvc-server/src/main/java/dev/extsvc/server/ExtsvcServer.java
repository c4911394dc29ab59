package dev.extsvc.server;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.server.console.Console;
import io.helidon.webserver.WebServer;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Serves one {@link ExternalServices} over HTTP: callbacks at {@code /callbacks/TOKEN[suffix]}, the REST API under
 * {@code /api}, the Background Operations console under {@code /console}. Built with
 * {@link #builder(ExternalServices)}, then {@link #start()}.
 */
public final class ExtsvcServer implements AutoCloseable {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;

  private static final Logger log = LoggerFactory.getLogger(ExtsvcServer.class);

  static {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  private final ExternalServices services;
  private final String host;
  private final int port;
  private final @Nullable String adminToken;
  private volatile WebServer server;

  private ExtsvcServer(Builder b) {
    this.services = b.services;
    this.host = b.host;
    this.port = b.port;
    this.adminToken = b.adminToken;
  }

  public static Builder builder(ExternalServices services) {
    return new Builder(services);
  }

  public ExtsvcServer start() {
    CallbackRoute callbacks = new CallbackRoute(services.receiver());
    ApiRoutes api = new ApiRoutes(services);
    Console console = Console.create(services, host, adminToken);
    server = WebServer.builder()
        .host(host)
        .port(port)
        .routing(r -> {
          r.any("/callbacks/*", callbacks);
          console.guard(r);
          api.register(r);
          console.register(r);
        })
        .build()
        .start();
    log.info("extsvc listening on http://{}:{}", host, server.port());
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.port();
  }

  /** "http://host:port" of the local listener. */
  public String localUrl() {
    return "http://" + host + ":" + port();
  }

  public ExternalServices services() {
    return services;
  }

  @Override
  public void close() {
    WebServer s = server;
    if (s != null) {
      s.stop();
    }
  }

  /** Builds an {@link ExtsvcServer}. */
  public static final class Builder {
    private final ExternalServices services;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private @Nullable String adminToken;

    private Builder(ExternalServices services) {
      this.services = Objects.requireNonNull(services);
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** 0 picks a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535");
      }
      this.port = port;
      return this;
    }

    /**
     * The token the REST API ({@code Authorization: Bearer TOKEN}) and the console require. Without one, they are
     * open on loopback and closed on any other address; the callback endpoint never needs it.
     */
    public Builder adminToken(String token) {
      if (token.isBlank()) {
        throw new IllegalArgumentException("adminToken must not be blank");
      }
      this.adminToken = token;
      return this;
    }

    public ExtsvcServer build() {
      return new ExtsvcServer(this);
    }
  }
}
