package dev.extsvc.cli;

import dev.extsvc.config.ConfigException;
import dev.extsvc.config.ExtsvcConfig;
import dev.extsvc.config.ServerConfig;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.Registration;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs the standalone server on the embedded SQLite store (or PostgreSQL). */
@Command(name = "serve", description = "Run the server: callback endpoint and REST API.")
final class ServeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", description = "configuration file, extsvc.yaml (default: $EXTSVC_CONFIG)")
  Path config;

  @Option(names = "--spec", description = "spec(s) to register at start", split = ",")
  List<Path> specs = List.of();

  @Option(names = "--endpoint", description = "SERVICE=URL: where callouts of a service go")
  Map<String, String> endpoints = Map.of();

  @Option(names = "--data", description = "data directory (default: the configuration's, else extsvc-data)")
  Path data;

  @Option(names = "--host", description = "listen address (default: the configuration's, else 127.0.0.1)")
  String host;

  @Option(names = "--port", description = "listen port (default: the configuration's, else 8080)")
  Integer port;

  @Option(names = "--public-url", description = "base URL senders use to reach this server (default: http://HOST:PORT)")
  String publicUrl;

  @Option(names = "--postgres-url", description = "JDBC URL of a PostgreSQL database instead of SQLite")
  String postgresUrl;

  @Option(names = "--postgres-user", description = "or EXTSVC_DB_USER (default: postgres)")
  String postgresUser;

  @Option(names = "--postgres-password", description = "or EXTSVC_DB_PASSWORD")
  String postgresPassword;

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
    String postgresUrl = this.postgresUrl != null ? this.postgresUrl : server0.postgresUrl();
    String postgresUser = first(this.postgresUser, server0.postgresUser(), env.get("EXTSVC_DB_USER"), "postgres");
    String postgresPassword = first(this.postgresPassword,
        server0.postgresPassword() == null ? null : server0.postgresPassword().value(), env.get("EXTSVC_DB_PASSWORD"), "");
    List<Path> specs = new java.util.ArrayList<>();
    List<String> names = new java.util.ArrayList<>(); // a spec named by the file registers under its service's name
    file.services().values().stream().filter(s -> s.spec() != null).forEach(s -> {
      specs.add(s.spec());
      names.add(s.name());
    });
    specs.addAll(this.specs);
    this.specs.forEach(p -> names.add(null));
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
    JdbcStore store = postgresUrl != null ? JdbcStore.postgres(postgresUrl, postgresUser, postgresPassword)
        : JdbcStore.sqlite(data.resolve("extsvc.db"));
    ExternalServices.Builder b = file.configure(ExternalServices.builder().store(store).publicBaseUrl(base));
    // an endpoint the operator typed is where they mean callouts to go, loopback or private included
    endpoints.forEach((service, url) -> b.service(service, s -> s.endpoint(url).allowPrivateNetwork(true)));
    ExternalServices services;
    try {
      services = b.build();
    } catch (RuntimeException e) { // a secret that cannot be read, a key store that does not open
      err.println("error: " + e.getMessage());
      store.close();
      return 1;
    }
    for (int i = 0; i < documents.size(); i++) {
      Path specFile = specs.get(i);
      Registration r = services.register(documents.get(i), names.get(i));
      r.report().diagnostics().forEach(d -> out.println(specFile + ": " + d));
      if (!r.ok()) {
        err.println("error: " + specs.get(i) + " was refused");
        services.close();
        store.close();
        return 1;
      }
    }
    for (var definition : services.services()) {
      services.credentialChecks(definition.name()).stream().filter(c -> !c.expects().equals("no credential"))
          .forEach(c -> out.printf("%s.%s expects %s: %s%n", definition.name(), c.operation(), c.expects(),
              c.satisfied() ? "credentials " + c.credentials() : "NO MATCHING CREDENTIAL, calls will be refused"));
    }
    ExtsvcServer.Builder serverBuilder = ExtsvcServer.builder(services).host(host).port(listen);
    ServerConfig.SlowClients slow = server0.slowClients();
    if (slow.headerTimeout() != null) {
      serverBuilder.headerTimeout(slow.headerTimeout());
    }
    if (slow.minBodyRate() != null || slow.bodyGrace() != null) {
      serverBuilder.minBodyRate(slow.minBodyRate() != null ? slow.minBodyRate() : ExtsvcServer.DEFAULT_MIN_BODY_RATE,
          slow.bodyGrace() != null ? slow.bodyGrace() : ExtsvcServer.DEFAULT_BODY_GRACE);
    }
    if (slow.idleTimeout() != null) {
      serverBuilder.idleTimeout(slow.idleTimeout());
    }
    ExtsvcServer server = serverBuilder.build().start();
    out.printf("extsvc serving on %s (callbacks at %s/callbacks/..., API at %s/api)%n", server.localUrl(), base,
        server.localUrl());
    out.printf("store: %s%n", postgresUrl != null ? "PostgreSQL" : data.resolve("extsvc.db").toAbsolutePath());
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      services.close();
      store.close();
      stop.countDown();
    }, "extsvc-shutdown"));
    stop.await();
    return 0;
  }

  private static String first(@Nullable String... values) {
    for (String v : values) {
      if (v != null) {
        return v;
      }
    }
    throw new IllegalStateException("no value");
  }
}
