package dev.extsvc.server;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.server.console.Console;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Serves one {@link ExternalServices} over HTTP: callbacks at {@code CALLBACK_PATH/TOKEN[suffix]}
 * (the runtime's {@link ExternalServices#callbackPath()}, {@code /callbacks} unless set otherwise),
 * the REST API under {@code /api}, the Background Operations console under {@code /console}. Built
 * with {@link #builder(ExternalServices)}, then {@link #start()}; stopped by {@link #close()} (it
 * registers no JVM shutdown hook: drain the runtime first, then close).
 */
public final class ExtsvcServer implements AutoCloseable {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;

  /** How long a request may take from its first byte to the end of its headers. */
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The slowest a request body may arrive, on average, once {@link #DEFAULT_BODY_GRACE} has passed.
   */
  public static final int DEFAULT_MIN_BODY_RATE = 1024;

  public static final Duration DEFAULT_BODY_GRACE = Duration.ofSeconds(5);

  /** How long a connection may sit without a request (never sent one, or kept alive after one). */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

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
  private final Duration headerTimeout;
  private final int minBodyRate;
  private final Duration bodyGrace;
  private final Duration idleTimeout;
  // Set by start(): null before it.
  private volatile @Nullable WebServer server;
  private volatile @Nullable ReadDeadlines deadlines;

  private ExtsvcServer(Builder b) {
    this.services = b.services;
    this.host = b.host;
    this.port = b.port;
    this.adminToken = b.adminToken;
    this.headerTimeout = b.headerTimeout;
    this.minBodyRate = b.minBodyRate;
    this.bodyGrace = b.bodyGrace;
    this.idleTimeout = b.idleTimeout;
  }

  public static Builder builder(ExternalServices services) {
    return new Builder(services);
  }

  public ExtsvcServer start() {
    ReadDeadlines deadlines = new ReadDeadlines(headerTimeout, minBodyRate, bodyGrace);
    this.deadlines = deadlines;
    CallbackRoute callbacks = new CallbackRoute(services.callbackEndpoint(), deadlines);
    ApiRoutes api = new ApiRoutes(services, deadlines);
    Console console = Console.create(services, host, adminToken);
    WebServer server =
        WebServer.builder()
            // No JVM hook of Helidon's own: it would stop listening at SIGTERM while the runtime
            // drains; the owner closes the server (serve: after the drain).
            .shutdownHook(false)
            .host(host)
            .port(port)
            .addProtocol(
                Http1Config.builder().addReceiveListener(deadlines.receiveListener()).build())
            // Helidon's own check closes connections waiting for a request; ours, those stalled
            // inside one.
            .idleConnectionTimeout(idleTimeout)
            .idleConnectionPeriod(
                idleTimeout.dividedBy(4).compareTo(Duration.ofSeconds(1)) < 0
                    ? Duration.ofSeconds(1)
                    : idleTimeout.dividedBy(4))
            .routing(
                r -> {
                  r.any(
                      services.callbackPath() + "/*",
                      callbacks); // where the runtime's callback URLs point
                  api.registerProbes(r); // before the guard: load balancers carry no token
                  console.guard(r);
                  api.register(r);
                  console.register(r);
                })
            .build()
            .start();
    if (!server
        .isRunning()) { // Helidon logs a bind failure and returns a server without a listener
      throw new IllegalStateException(
          "cannot listen on " + host + ":" + port + " (is the port in use?)");
    }
    this.server = server;
    log.info("extsvc listening on http://{}:{}", host, server.port());
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    WebServer s = server;
    if (s == null) {
      throw new IllegalStateException("the server is not started");
    }
    return s.port();
  }

  /** "http://host:port" of the local listener. */
  public String localUrl() {
    return "http://" + host + ":" + port();
  }

  public ExternalServices services() {
    return services;
  }

  /**
   * Connections closed so far for a request's headers past the header timeout, and for a body below
   * the rate.
   */
  long[] slowClientsClosed() {
    ReadDeadlines d = java.util.Objects.requireNonNull(deadlines, "the server is not started");
    return new long[] {d.closedInHeaders(), d.closedInBody()};
  }

  @Override
  public void close() {
    WebServer s = server;
    if (s != null) {
      s.stop();
    }
    ReadDeadlines d = deadlines;
    if (d != null) {
      d.close();
    }
  }

  /** Builds an {@link ExtsvcServer}. */
  public static final class Builder {
    private final ExternalServices services;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private @Nullable String adminToken;
    private Duration headerTimeout = DEFAULT_HEADER_TIMEOUT;
    private int minBodyRate = DEFAULT_MIN_BODY_RATE;
    private Duration bodyGrace = DEFAULT_BODY_GRACE;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;

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
     * The token the REST API ({@code Authorization: Bearer TOKEN}) and the console require. Without
     * one, they are open on loopback and closed on any other address; the callback endpoint never
     * needs it.
     */
    public Builder adminToken(String token) {
      if (token.isBlank()) {
        throw new IllegalArgumentException("adminToken must not be blank");
      }
      this.adminToken = token;
      return this;
    }

    /** A request whose headers are not complete this long after its first byte is closed (10 s). */
    public Builder headerTimeout(Duration timeout) {
      this.headerTimeout = positive(timeout, "headerTimeout");
      return this;
    }

    /**
     * A request body that arrives slower than {@code bytesPerSecond} on average, counted once
     * {@code grace} has passed, is cut and its connection closed (1024 bytes/s after 5 s).
     */
    public Builder minBodyRate(int bytesPerSecond, Duration grace) {
      if (bytesPerSecond < 1) {
        throw new IllegalArgumentException("minBodyRate must be at least 1 byte/s");
      }
      this.minBodyRate = bytesPerSecond;
      this.bodyGrace = grace.isNegative() ? Duration.ZERO : grace;
      return this;
    }

    /** A connection without a request in progress for this long is closed (60 s). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "idleTimeout");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }

    public ExtsvcServer build() {
      return new ExtsvcServer(this);
    }
  }
}
