package com.example.fromjava;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The README's "From Java", whole: the runtime on an SQLite file, extsvc's HTTP server for the
 * callbacks, one mortgage application to Acme, its decision by callback, everything closed at the
 * end. Run it against the mock bank ({@code ./extsvc mock examples/acme-mortgages.json}) from the
 * repository's root.
 */
public final class FromJava {
  /**
   * Called with Acme's decision, hours later, maybe in another process: its field is stored with
   * the invocation.
   */
  public static final class SubmitApplicationHandler implements CallbackHandler {
    static final BlockingQueue<String> DECISIONS = new LinkedBlockingQueue<>();

    private String applicant = "";

    // the runtime re-creates handlers from the store with this constructor
    private SubmitApplicationHandler() {}

    public SubmitApplicationHandler(String applicant) {
      this.applicant = applicant;
    }

    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {
      DECISIONS.add(applicant + ": " + key + " " + callbacks.get(0).body());
    }
  }

  private FromJava() {}

  public static void main(String[] args) throws Exception {
    String decision =
        apply(
            Path.of("examples/acme-mortgages.json"),
            Path.of("extsvc-data"),
            "http://127.0.0.1:9090",
            8080,
            "Alice",
            Duration.ofMinutes(1));
    System.out.println(decision == null ? "no decision within a minute" : decision);
  }

  /**
   * Submits one application and waits for the bank's decision (a real application keeps running
   * instead).
   *
   * @return the decision the handler saw, or null if none came in time
   */
  static String apply(
      Path spec, Path data, String acmeUrl, int port, String applicant, Duration wait)
      throws Exception {
    Files.createDirectories(data);
    try (JdbcStore store = JdbcStore.sqlite(data.resolve("extsvc.db"));
        ExternalServices services =
            ExternalServices.builder()
                .store(store)
                // where senders reach /callbacks/...
                .publicBaseUrl("http://127.0.0.1:" + port)
                // the mock bank is on loopback
                .service("Acme Mortgages", s -> s.endpoint(acmeUrl).allowPrivateNetwork(true))
                // allowed to be re-created from the store
                .handlerType(SubmitApplicationHandler.class)
                .build();
        ExtsvcServer server = ExtsvcServer.builder(services).port(port).build().start()) {
      services.register(Files.readString(spec), null);
      var body = new ObjectMapper().createObjectNode();
      body.putObject("applicant").put("name", applicant);
      InvocationResult r =
          services.invoke(
              "Acme Mortgages",
              "SubmitApplication",
              new RequestParts().body(body),
              new SubmitApplicationHandler(applicant),
              Duration.ofHours(4));
      System.out.println(
          "HTTP " + r.statusCode() + " " + r.body() + ", invocation " + r.invocationId());
      return SubmitApplicationHandler.DECISIONS.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    } // closed in reverse: the server stops, running handlers finish, the store closes
  }
}
