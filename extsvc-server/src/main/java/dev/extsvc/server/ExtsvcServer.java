package dev.extsvc.server;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.server.console.Console;
import dev.extsvc.server.logging.LogMask;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  /**
   * The longest request line (method, target, version) served; a longer one is answered 414.
   * Helidon's default.
   */
  public static final int DEFAULT_MAX_REQUEST_LINE = 4096;

  /** The most bytes of request headers served; more are answered 431. Helidon's default. */
  public static final int DEFAULT_MAX_HEADER_SIZE = 16384;

  /**
   * Where the meters are served in the Prometheus text format, when a registry is given ({@link
   * Builder#metrics}); guarded by the admin token as {@code /api} is.
   */
  public static final String METRICS_PATH = "/metrics";

  private static final Logger log = LoggerFactory.getLogger(ExtsvcServer.class);

  static {
    HelidonLogging.install(); // also when Helidon finds another logging provider first
  }

  private final ExternalServices services;
  private final String host;
  private final int port;
  private final @Nullable String adminToken;
  private final Duration headerTimeout;
  private final int minBodyRate;
  private final Duration bodyGrace;
  private final Duration idleTimeout;
  private final int maxRequestLine;
  private final int maxHeaderSize;
  private final @Nullable PrometheusMeterRegistry metrics;
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
    this.maxRequestLine = b.maxRequestLine;
    this.maxHeaderSize = b.maxHeaderSize;
    this.metrics = b.metrics;
  }

  public static Builder builder(ExternalServices services) {
    return new Builder(services);
  }

  public ExtsvcServer start() {
    // before the first request: whatever logs a request line from now on, the token is masked
    LogMask.maskCallbackPath(services.callbackPath());
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
            // only this HTTP/1 configuration: a second one, discovered, made two candidates, and
            // with two Helidon closes a request line of 8 KB or more without an answer
            .protocolsDiscoverServices(false)
            .addProtocol(
                Http1Config.builder()
                    .addReceiveListener(deadlines.receiveListener())
                    .maxPrologueLength(maxRequestLine)
                    .maxHeadersSize(maxHeaderSize)
                    .build())
            // Helidon's own answers (414, 431, malformed requests) are ours: a JSON message, never
            // the exception's text; the message reaches the handler only with includeEntity.
            .errorHandling(ErrorHandling.builder().includeEntity(true).build())
            .directHandlers(HttpErrors.all(maxRequestLine, maxHeaderSize))
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
                  if (metrics != null) {
                    r.get(METRICS_PATH, new MetricsRoute(metrics));
                  }
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
    private int maxRequestLine = DEFAULT_MAX_REQUEST_LINE;
    private int maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
    private @Nullable PrometheusMeterRegistry metrics;

    private Builder(ExternalServices services) {
      this.services = Objects.requireNonNull(services);
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /**
     * Serves this registry at {@value #METRICS_PATH} in the Prometheus text format, behind the
     * admin token as {@code /api} is (open on loopback without one, closed beyond it); give the
     * same registry to the runtime's builder ({@code meterRegistry}) for extsvc's meters.
     */
    public Builder metrics(PrometheusMeterRegistry registry) {
      this.metrics = Objects.requireNonNull(registry, "registry");
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

    /**
     * A request line (method, target, version) of this many bytes or more is answered 414 (4096),
     * whatever its length.
     */
    public Builder maxRequestLine(int bytes) {
      if (bytes < 256) {
        throw new IllegalArgumentException("maxRequestLine must be at least 256 bytes");
      }
      this.maxRequestLine = bytes;
      return this;
    }

    /**
     * Request headers of more than this many bytes in all, or one header that long, are answered
     * 431 (16384), however many there are.
     */
    public Builder maxHeaderSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxHeaderSize must be at least 1024 bytes");
      }
      this.maxHeaderSize = bytes;
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
