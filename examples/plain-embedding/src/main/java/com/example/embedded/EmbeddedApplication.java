package com.example.embedded;

import com.sun.net.httpserver.HttpServer;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * extsvc inside a plain Java application that already has an HTTP server: the runtime is built
 * once, its receiver is mounted on the application's server under {@code /callbacks}, and
 * everything closes in reverse order. An application without a server of its own starts
 * extsvc-server's Helidon listener instead: {@code
 * ExtsvcServer.builder(services).port(8080).build().start()}.
 */
public final class EmbeddedApplication implements AutoCloseable {
  /** The handler: approved applicants are printed; its field is its stored state. */
  public static final class PrintOutcome implements CallbackHandler {
    private String applicant = "";

    PrintOutcome() {}

    PrintOutcome(String applicant) {
      this.applicant = applicant;
    }

    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {
      OUTCOMES.add(applicant + ": " + key);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  static final List<String> OUTCOMES = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final JdbcStore store;
  private final ExternalServices services;
  private final HttpServer server;

  /**
   * @param bankUrl where Acme Mortgages answers
   * @param data the SQLite file of the store
   */
  public EmbeddedApplication(String bankUrl, Path data, Path spec) throws IOException {
    // The application's own server, on loopback and a free port here.
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    store = JdbcStore.sqlite(data);
    services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("http://127.0.0.1:" + server.getAddress().getPort())
            .service(
                "Acme Mortgages",
                s -> s.endpoint(bankUrl).allowPrivateNetwork(true)) // a bank on loopback
            .handlerType(PrintOutcome.class)
            .build();
    services.register(Files.readString(spec), null);
    server.createContext(
        services.callbackPath() + "/", new CallbackHttpHandler(services.callbackEndpoint()));
    server.start();
  }

  public UUID submit(String applicant) {
    var body = JSON.createObjectNode();
    body.putObject("applicant").put("name", applicant);
    var request = new RequestParts().body(body);
    return services
        .invoke(
            "Acme Mortgages",
            "SubmitApplication",
            request,
            new PrintOutcome(applicant),
            Duration.ofHours(4))
        .invocationId();
  }

  public ExternalServices services() {
    return services;
  }

  @Override
  public void close() {
    services.close(); // answers new callbacks 503 and lets running handlers finish
    server.stop(0);
    store.close();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println(
          "usage: EmbeddedApplication BANK_URL   (e.g. ./extsvc mock examples/acme-mortgages.json)");
      System.exit(2);
    }
    try (var app =
        new EmbeddedApplication(
            args[0], Path.of("extsvc-data/embedded.db"), Path.of("examples/acme-mortgages.json"))) {
      System.out.println(
          "Submitted " + app.submit("Ann") + "; waiting for Acme's decision (Ctrl-C to stop)");
      Thread.sleep(Duration.ofMinutes(1));
      System.out.println(OUTCOMES);
    }
  }
}
