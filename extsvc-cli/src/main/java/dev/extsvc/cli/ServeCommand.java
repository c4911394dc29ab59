package dev.extsvc.cli;

import dev.extsvc.config.ClusterConfig;
import dev.extsvc.config.ConfigException;
import dev.extsvc.config.ExtsvcConfig;
import dev.extsvc.config.ServerConfig;
import dev.extsvc.config.ServiceConfig;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import dev.extsvc.store.jdbc.JdbcStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs the standalone server on the embedded SQLite store (or PostgreSQL). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the server: callback endpoint, REST API and console, until Ctrl-C.",
    footer = {
      "",
      "Credentials without a configuration file, e.g. a bearer token from $ACME_TOKEN:",
      "  extsvc serve --spec acme.json --credential 'acme=bearer:$${env:ACME_TOKEN}' \\",
      "    --service-credential 'Acme Mortgages=acme'",
      "Forms: bearer:SECRET, basic:USER:SECRET, api-key:header|query|cookie:NAME:SECRET",
      "where SECRET is $${env:VARIABLE} or $${file:/path} (single-quoted: the shell would",
      "expand $${...}), or env:VARIABLE, file:/path. A secret is never given as its value.",
      "",
      "Beyond loopback (--host 0.0.0.0, a LAN address) serve needs an admin token for the",
      "REST API and the console, and the URL senders reach it at, e.g.:",
      "  EXTSVC_ADMIN_TOKEN=$$(openssl rand -hex 24) extsvc serve --host 0.0.0.0 \\",
      "    --public-url https://extsvc.example.com",
      "or --admin-token 'env:VARIABLE' / 'file:/path', or server.adminToken in extsvc.yaml."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      description = "configuration file, extsvc.yaml (default: $EXTSVC_CONFIG)")
  Path config;

  @Option(names = "--spec", description = "spec(s) to register at start", split = ",")
  List<Path> specs = List.of();

  @Option(names = "--endpoint", description = "SERVICE=URL: where callouts of a service go")
  Map<String, String> endpoints = Map.of();

  @Option(
      names = "--data",
      description = "data directory (default: the configuration's, else extsvc-data)")
  Path data;

  @Option(
      names = "--host",
      description = "listen address (default: the configuration's, else 127.0.0.1)")
  String host;

  @Option(names = "--port", description = "listen port (default: the configuration's, else 8080)")
  Integer port;

  @Option(
      names = "--public-url",
      description = "base URL senders use to reach this server (default: http://HOST:PORT)")
  String publicUrl;

  @Option(
      names = "--admin-token",
      paramLabel = "env:VARIABLE|file:/path",
      description =
          "where the admin token of the REST API and console is (default: $EXTSVC_ADMIN_TOKEN,"
              + " else server.adminToken); required beyond loopback")
  String adminToken;

  @Option(
      names = "--callback-path",
      description =
          "where callbacks are received under the public URL, e.g."
              + " /hooks/extsvc (default: the configuration's, else /callbacks)")
  String callbackPath;

  @Option(
      names = "--node-id",
      description =
          "this node's name among nodes sharing one PostgreSQL, shown by GET /api/health"
              + " (default: the configuration's server.nodeId, else HOST-RANDOM)")
  String nodeId;

  @Option(
      names = "--heartbeat-interval",
      paramLabel = "DURATION",
      description =
          "how often this node says it is alive and looks for dead nodes, e.g. 1s (default: the"
              + " configuration's cluster.heartbeatInterval, else 1s)")
  String heartbeatInterval;

  @Option(
      names = "--node-timeout",
      paramLabel = "DURATION",
      description =
          "after how long without a heartbeat a node is dead and its callbacks taken over, at"
              + " least twice the heartbeat (default: cluster.nodeTimeout, else 5s)")
  String nodeTimeout;

  @Option(
      names = "--callback-lease",
      paramLabel = "DURATION",
      description =
          "how long one handler run holds its invocation between renewals (default:"
              + " cluster.callbackLease, else 2m)")
  String callbackLease;

  @Option(
      names = "--recovery-grace",
      paramLabel = "DURATION",
      description =
          "after how long a stored, unfinished callback no run holds is taken over by the poll"
              + " (default: cluster.recoveryGrace, else the node timeout)")
  String recoveryGrace;

  @Option(
      names = "--early-callback-hold",
      paramLabel = "DURATION",
      description =
          "how long a callback that reaches a service's shared address before its invocation"
              + " records the correlation value is held (answered 202) before it is dead, e.g. 30m"
              + " (default: callbacks.earlyCallbackHold, else 10m)")
  String earlyCallbackHold;

  @Option(
      names = "--postgres-url",
      description = "JDBC URL of a PostgreSQL database instead of SQLite")
  String postgresUrl;

  @Option(names = "--postgres-user", description = "or EXTSVC_DB_USER (default: postgres)")
  String postgresUser;

  @Option(names = "--postgres-password", description = "or EXTSVC_DB_PASSWORD")
  String postgresPassword;

  @Option(
      names = "--credential",
      paramLabel = "NAME=FORM",
      description = "define a credential, e.g. 'acme=bearer:$${env:ACME_TOKEN}' (forms below)")
  Map<String, String> credentials = new LinkedHashMap<>();

  @Option(
      names = "--service-credential",
      paramLabel = "SERVICE=NAME[,NAME...]",
      description = "use credential NAME on every callout of SERVICE (repeatable)")
  List<String> serviceCredentials = new ArrayList<>();

  @Option(
      names = "--verbose",
      description = "log extsvc's INFO and DEBUG lines (default: warnings only)")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> env = System.getenv();
    ExtsvcConfig file;
    Path configPath = ExtsvcConfig.locate(config, env);
    try {
      file = configPath == null ? ExtsvcConfig.DEFAULTS : ExtsvcConfig.load(configPath, env);
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    // the command line wins over the file, the file over the defaults
    ServerConfig server0 = file.server();
    String host = this.host != null ? this.host : server0.host();
    int port = this.port != null ? this.port : server0.port();
    Path data = this.data != null ? this.data : server0.data();
    String publicUrl = this.publicUrl != null ? this.publicUrl : server0.publicUrl();
    String callbackPath = this.callbackPath != null ? this.callbackPath : server0.callbackPath();
    String token;
    try {
      token = adminToken(env, server0);
      String problem = offLoopbackProblem(host, token, publicUrl);
      if (problem != null) {
        err.println("error: " + problem);
        return 2;
      }
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) { // a variable that is not set, a file that cannot be read
      err.println("error: admin token: " + e.getMessage());
      return 1;
    }
    try {
      ExternalServices.builder()
          .callbackPath(callbackPath); // refused before anything opens or listens
    } catch (IllegalArgumentException e) {
      err.println("error: --callback-path: " + e.getMessage());
      return 2;
    }
    if (nodeId != null) {
      try {
        ExternalServices.builder().nodeId(nodeId);
      } catch (IllegalArgumentException e) {
        err.println("error: --node-id: " + e.getMessage());
        return 2;
      }
    }
    ClusterConfig cluster;
    Duration earlyHold;
    try {
      earlyHold = option("--early-callback-hold", earlyCallbackHold);
      if (earlyHold != null && !earlyHold.isPositive()) {
        throw new IllegalArgumentException("--early-callback-hold: must be positive");
      }
      cluster =
          file.cluster()
              .with(
                  new ClusterConfig(
                      option("--heartbeat-interval", heartbeatInterval),
                      option("--node-timeout", nodeTimeout),
                      option("--callback-lease", callbackLease),
                      option("--recovery-grace", recoveryGrace)));
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    String postgresUrl = this.postgresUrl != null ? this.postgresUrl : server0.postgresUrl();
    String postgresUser =
        first(this.postgresUser, server0.postgresUser(), env.get("EXTSVC_DB_USER"), "postgres");
    String postgresPassword =
        first(
            this.postgresPassword,
            server0.postgresPassword() == null ? null : server0.postgresPassword().value(),
            env.get("EXTSVC_DB_PASSWORD"),
            "");
    List<Path> specs = new java.util.ArrayList<>();
    List<String> names =
        new java.util.ArrayList<>(); // a spec named by the file registers under its service's name
    file.services().values().stream()
        .filter(s -> s.spec() != null)
        .forEach(
            s -> {
              specs.add(s.spec());
              names.add(s.name());
            });
    specs.addAll(this.specs);
    this.specs.forEach(p -> names.add(null));
    Ports.requireFree(
        host, port); // before the store opens: a busy port is one line, and nothing to undo
    Logging.verbose(verbose);
    int listen = port == 0 ? Ports.free() : port;
    String base = publicUrl != null ? publicUrl : "http://" + host + ":" + listen;
    List<String> documents = new java.util.ArrayList<>();
    for (Path p : specs) {
      try {
        documents.add(Files.readString(p));
      } catch (IOException e) {
        err.println("error: cannot read spec " + p + ": " + e.getMessage());
        return 1;
      }
    }
    OpenTelemetrySdk tracing;
    try {
      tracing = OpenTelemetrySetup.fromSettings(env);
    } catch (RuntimeException e) { // e.g. an exporter named that extsvc does not bring
      err.println("error: OpenTelemetry settings (OTEL_*): " + e.getMessage());
      return 1;
    }
    AutoCloseable flushSpans = tracing != null ? tracing : () -> {};
    // meters for /metrics: always on (a map read per event), scraped only when asked
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JdbcStore store =
        postgresUrl != null
            ? JdbcStore.postgres(postgresUrl, postgresUser, postgresPassword)
            : JdbcStore.sqlite(data.resolve("extsvc.db"));
    ExternalServices.Builder b =
        file.configure(
            ExternalServices.builder()
                .store(store)
                .publicBaseUrl(base)
                .callbackPath(callbackPath)
                .openTelemetry(OpenTelemetrySetup.orNoop(tracing))
                .meterRegistry(metrics));
    // an endpoint the operator typed is where they mean callouts to go, loopback or private
    // included
    endpoints.forEach(
        (service, url) -> b.service(service, s -> s.endpoint(url).allowPrivateNetwork(true)));
    if (nodeId != null) {
      b.nodeId(nodeId);
    }
    cluster.configure(b);
    if (earlyHold != null) {
      b.earlyCallbackHold(earlyHold);
    }
    ExternalServices services;
    try {
      credentials.forEach((name, form) -> b.credential(CredentialOption.parse(name, form, env)));
      for (String use : serviceCredentials) {
        int eq = use.lastIndexOf('=');
        if (eq <= 0 || eq == use.length() - 1) {
          throw new CliException(
              "--service-credential takes SERVICE=NAME, e.g. 'Acme Mortgages=acme', not '"
                  + use
                  + "'");
        }
        for (String name : use.substring(eq + 1).split(",")) {
          b.service(use.substring(0, eq), s -> s.credential(name.strip()));
        }
      }
      services = b.build();
    } catch (RuntimeException e) { // a secret that cannot be read, a key store that does not open
      err.println("error: " + e.getMessage());
      UntilStopped.closeAll(flushSpans, store);
      return 1;
    }
    for (int i = 0; i < documents.size(); i++) {
      Path specFile = specs.get(i);
      Registration r = services.register(documents.get(i), names.get(i));
      // a missing credential is summed up once per service below, not once per operation here;
      // that a callback may carry no data is extsvc check's to say (the start stays one line)
      r.report().diagnostics().stream()
          .filter(d -> !SecurityNeeds.isCredentialWarning(d))
          .filter(d -> !d.message().contains("may carry no data"))
          .forEach(d -> out.println(specFile + ": " + d));
      if (!r.ok()) {
        err.println("error: " + specs.get(i) + " was refused");
        services.close();
        UntilStopped.closeAll(flushSpans, store);
        return 1;
      }
    }
    String unknown = unknownEndpointService(file, configPath, services.services());
    if (unknown != null && postgresUrl != null) {
      // On a shared PostgreSQL store the registry is the cluster's: a spec registered later on
      // another node reaches this one, and its endpoint must already be configured here then.
      err.println(
          "warning: "
              + unknown
              + " (kept: on PostgreSQL a service registered later, on any node, gets it)");
      unknown = null;
    }
    if (unknown != null) {
      err.println("error: " + unknown);
      services.close();
      UntilStopped.closeAll(flushSpans, store);
      return unknown.startsWith("--endpoint") ? 2 : 1;
    }
    for (var definition : services.services()) {
      SecurityNeeds.unmetLine(definition, services.credentialChecks(definition.name()))
          .ifPresent(out::println);
      String given = endpoints.get(definition.name());
      ServiceConfig configured = file.services().get(definition.name());
      if (given == null && configured != null) {
        given = configured.settings().endpoint();
      }
      if (given != null) {
        basePathLine(definition, given).ifPresent(out::println);
      }
    }
    ExtsvcServer.Builder serverBuilder =
        ExtsvcServer.builder(services).host(host).port(listen).metrics(metrics);
    if (token != null) {
      serverBuilder.adminToken(token);
    }
    Integer maxRequestLine = server0.httpLimits().maxRequestLine();
    if (maxRequestLine != null) {
      serverBuilder.maxRequestLine(maxRequestLine);
    }
    Integer maxHeaderSize = server0.httpLimits().maxHeaderSize();
    if (maxHeaderSize != null) {
      serverBuilder.maxHeaderSize(maxHeaderSize);
    }
    ServerConfig.SlowClients slow = server0.slowClients();
    if (slow.headerTimeout() != null) {
      serverBuilder.headerTimeout(slow.headerTimeout());
    }
    if (slow.minBodyRate() != null || slow.bodyGrace() != null) {
      serverBuilder.minBodyRate(
          slow.minBodyRate() != null ? slow.minBodyRate() : ExtsvcServer.DEFAULT_MIN_BODY_RATE,
          slow.bodyGrace() != null ? slow.bodyGrace() : ExtsvcServer.DEFAULT_BODY_GRACE);
    }
    if (slow.idleTimeout() != null) {
      serverBuilder.idleTimeout(slow.idleTimeout());
    }
    ExtsvcServer server;
    try {
      server = serverBuilder.build().start();
    } catch (RuntimeException e) { // the port was taken between the check and the start
      UntilStopped.closeAll(flushSpans, store, services);
      throw new CliException("port " + listen + " is in use: choose another with --port");
    }
    // the one line of a start: where, on what store, serving what
    out.printf(
        "extsvc serving on %s (callbacks at %s%s/...), store %s, services: %s%n",
        server.localUrl(),
        base,
        services.callbackPath(),
        postgresUrl != null ? "PostgreSQL" : data.resolve("extsvc.db").toAbsolutePath(),
        services.services().isEmpty()
            ? "none yet"
            : String.join(", ", services.services().stream().map(d -> d.name()).toList()));
    out.flush();
    // Closed last first: on SIGTERM the node drains while still listening (not ready, new
    // callbacks 503 + Retry-After, running handlers finish), and only then stops listening.
    AutoCloseable drain = () -> services.drain(ExternalServices.DEFAULT_DRAIN_PATIENCE);
    UntilStopped.await(flushSpans, store, services, server, drain);
    return 0;
  }

  /** The smallest admin token taken: shorter ones are guessable. */
  static final int MIN_ADMIN_TOKEN_LENGTH = 16;

  /**
   * The admin token: {@code --admin-token} (a reference), else {@code $EXTSVC_ADMIN_TOKEN} (the
   * value), else {@code server.adminToken}; null when none is given.
   *
   * @throws IllegalArgumentException when it is malformed or too short (usage)
   */
  private @Nullable String adminToken(Map<String, String> env, ServerConfig server) {
    String value;
    String fromEnv = env.get("EXTSVC_ADMIN_TOKEN");
    Secret fromFile = server.adminToken();
    if (adminToken != null) {
      String r = adminToken.strip();
      if (r.startsWith("env:") || r.startsWith("file:")) {
        r = "${" + r + "}";
      }
      try {
        value = Secret.parse(r, env::get).value();
      } catch (IllegalArgumentException e) { // its message never repeats the text
        throw new IllegalArgumentException(
            "--admin-token takes env:VARIABLE or file:/path (the token itself would show in the"
                + " process list), or set EXTSVC_ADMIN_TOKEN");
      }
    } else if (fromEnv != null) {
      value = fromEnv;
    } else if (fromFile != null) {
      value = fromFile.value();
    } else {
      return null;
    }
    if (value.strip().length() < MIN_ADMIN_TOKEN_LENGTH) {
      throw new IllegalArgumentException(
          "the admin token must have at least "
              + MIN_ADMIN_TOKEN_LENGTH
              + " characters, e.g. from: openssl rand -hex 24");
    }
    return value.strip();
  }

  /**
   * Why serving on {@code host} as given is refused, or null: beyond loopback the API, console and
   * callbacks are reachable by others, so an admin token and the public URL senders use are
   * required; a wildcard address is never a URL.
   */
  static @Nullable String offLoopbackProblem(
      String host, @Nullable String adminToken, @Nullable String publicUrl) {
    if (publicUrl != null && isWildcard(URI.create(publicUrl).getHost())) {
      return "--public-url "
          + publicUrl
          + " names no host senders can reach: give the server's name or address";
    }
    if (isLoopback(host)) {
      return null;
    }
    if (adminToken == null) {
      return "serving on "
          + host
          + " (beyond loopback) needs an admin token for the API and console: set"
          + " EXTSVC_ADMIN_TOKEN, or --admin-token 'env:VARIABLE', or server.adminToken in"
          + " extsvc.yaml";
    }
    if (publicUrl == null) {
      return "serving on "
          + host
          + " (beyond loopback) needs --public-url (or server.publicUrl): the base URL senders"
          + " reach this server at, e.g. https://extsvc.example.com";
    }
    return null;
  }

  /**
   * Why an endpoint names a service that no spec registers (a misspelled name would otherwise be
   * accepted without a word and the service left without an endpoint), or null when all exist.
   */
  private @Nullable String unknownEndpointService(
      ExtsvcConfig file, @Nullable Path configPath, List<ServiceDefinition> registered) {
    Set<String> names = new TreeSet<>();
    registered.forEach(d -> names.add(d.name()));
    String exist = names.isEmpty() ? "no service is registered" : "services: " + names;
    for (String service : endpoints.keySet()) {
      if (!names.contains(service)) {
        return "--endpoint '"
            + service
            + "=...': no spec registers a service named '"
            + service
            + "'; "
            + exist;
      }
    }
    for (ServiceConfig s : file.services().values()) {
      if (s.settings().endpoint() != null && !names.contains(s.name())) {
        return configPath
            + ": services."
            + s.name()
            + ".endpoint: no spec registers a service named '"
            + s.name()
            + "'; "
            + exist;
      }
    }
    return null;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false; // Ports.requireFree names it
    }
  }

  private static boolean isWildcard(@Nullable String host) {
    if (host == null) {
      return true;
    }
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    try {
      return InetAddress.getByName(h).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false; // a name this machine cannot resolve may still be the senders' name for it
    }
  }

  /** Says where callouts go when an endpoint without a path takes the spec's base path. */
  static Optional<String> basePathLine(ServiceDefinition definition, String given) {
    String effective = definition.endpointFor(given);
    String trimmed = given.endsWith("/") ? given.substring(0, given.length() - 1) : given;
    if (effective.equals(trimmed)) {
      return Optional.empty();
    }
    return Optional.of(
        definition.name()
            + ": callouts go to "
            + effective
            + " (the endpoint has no path: it takes "
            + definition.basePath()
            + ", the path of the spec's first server URL)");
  }

  private static String first(@Nullable String... values) {
    for (String v : values) {
      if (v != null) {
        return v;
      }
    }
    throw new IllegalStateException("no value");
  }

  /** A duration option as the configuration file writes one; null when not given. */
  private static @Nullable Duration option(String name, @Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      return ExtsvcConfig.duration(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }
}
