package dev.extsvc.cli;

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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs the standalone server on the embedded SQLite store (or PostgreSQL). */
@Command(name = "serve", description = "Run the server: callback endpoint and REST API.")
final class ServeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", description = "spec(s) to register at start", split = ",")
  List<Path> specs = List.of();

  @Option(names = "--endpoint", description = "SERVICE=URL: where callouts of a service go")
  Map<String, String> endpoints = Map.of();

  @Option(names = "--data", defaultValue = "extsvc-data", description = "data directory (default: ${DEFAULT-VALUE})")
  Path data;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "listen address (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "listen port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--public-url", description = "base URL senders use to reach this server (default: http://HOST:PORT)")
  String publicUrl;

  @Option(names = "--postgres-url", description = "JDBC URL of a PostgreSQL database instead of SQLite")
  String postgresUrl;

  @Option(names = "--postgres-user", defaultValue = "${env:EXTSVC_DB_USER:-postgres}")
  String postgresUser;

  @Option(names = "--postgres-password", defaultValue = "${env:EXTSVC_DB_PASSWORD:-}", description = "or EXTSVC_DB_PASSWORD")
  String postgresPassword;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
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
    ExternalServices.Builder b = ExternalServices.builder().store(store).publicBaseUrl(base);
    // an endpoint the operator typed is where they mean callouts to go, loopback or private included
    endpoints.forEach((service, url) -> b.service(service, s -> s.endpoint(url).allowPrivateNetwork(true)));
    ExternalServices services = b.build();
    for (int i = 0; i < documents.size(); i++) {
      Path file = specs.get(i);
      Registration r = services.register(documents.get(i), null);
      r.report().diagnostics().forEach(d -> out.println(file + ": " + d));
      if (!r.ok()) {
        err.println("error: " + specs.get(i) + " was refused");
        services.close();
        store.close();
        return 1;
      }
    }
    ExtsvcServer server = ExtsvcServer.builder(services).host(host).port(listen).build().start();
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
}
