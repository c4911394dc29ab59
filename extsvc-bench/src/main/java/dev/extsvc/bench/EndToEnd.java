package dev.extsvc.bench;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of the whole loop on one store, through the real server: {@code warmup + n} invocations
 * through the runtime against the stand-in (so tokens and rows are real), then one callback per
 * invocation over HTTP to the server, then the delivery check. The first {@code warmup} of each are
 * sent first and not timed.
 */
final class EndToEnd {
  /** The figures of one run; the check passed, or there would be none. */
  record Run(LoadGenerator.Result invocations, LoadGenerator.Result callbacks, String sentBody) {}

  private final Settings settings;
  private final StandIn standIn;
  private final HttpClient client;

  EndToEnd(Settings settings, StandIn standIn, HttpClient client) {
    this.settings = settings;
    this.standIn = standIn;
    this.client = client;
  }

  Run run(Databases.Fresh db) {
    int port = freePort();
    BenchHandler.RUNS.set(0);
    try (JdbcStore store = db.openStore();
        ExternalServices services =
            ExternalServices.builder()
                .store(store)
                .publicBaseUrl("http://127.0.0.1:" + port)
                .endpoint(Specs.ACME, standIn.url())
                .allowPrivateNetworks(true) // the stand-in listens on loopback
                .startSweeper(false)
                .allowHandlerPackage("dev.extsvc.bench")
                .build();
        ExtsvcServer server = ExtsvcServer.builder(services).port(port).build().start()) {
      Registration r = services.register(Specs.acme(), null);
      if (!r.ok()) {
        throw new IllegalStateException("Acme spec refused: " + r.report());
      }
      int total = settings.warmup() + settings.count();
      String[] urls = new String[total];
      AtomicReference<String> sentBody = new AtomicReference<>("");
      LoadGenerator.Call invoke =
          i -> {
            RequestParts input = RequestParts.fromJson(Json.readTrusted(Specs.applicationJson(i)));
            InvocationResult result =
                services.invoke(Specs.ACME, Specs.SUBMIT, input, new BenchHandler("A" + i), null);
            urls[i] = Stat.known(result.callbackUrls(), Specs.APPROVED);
            if (i == 0) {
              sentBody.set(String.valueOf(result.sentRequest().body()));
            }
            return result.statusCode();
          };
      LoadGenerator load = new LoadGenerator(client, settings.concurrency(), settings.limit());
      expectComplete("warm-up invocations", load.run(settings.warmup(), invoke));
      LoadGenerator.Result invocations =
          expectComplete(
              "invocations", load.run(settings.count(), i -> invoke.call(settings.warmup() + i)));

      List<LoadGenerator.Shot> warm = new ArrayList<>();
      List<LoadGenerator.Shot> measured = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        (i < settings.warmup() ? warm : measured)
            .add(new LoadGenerator.Shot(URI.create(urls[i]), Specs.APPROVED_BODY));
      }
      LoadGenerator.Result warmCallbacks = load.run(warm);
      LoadGenerator.Result callbacks;
      try (var profile = IngestProfile.start(db.kind())) {
        callbacks = load.run(measured);
      }
      check(db, total, warmCallbacks.ok() + callbacks.ok(), db.kind().label);
      return new Run(invocations, callbacks, sentBody.get());
    }
  }

  /**
   * The delivery check, on a connection of its own: every 2xx came after its commit, so all of it
   * is visible.
   */
  private static void check(Databases.Fresh db, int expected, int answeredOk, String run) {
    StoreTally tally;
    try (Connection c = db.connect()) {
      tally = StoreTally.read(c);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read back " + db.jdbcUrl(), e);
    }
    new DeliveryCheck(expected, answeredOk, BenchHandler.RUNS.get(), tally).verify(run);
  }

  static LoadGenerator.Result expectComplete(String what, LoadGenerator.Result result) {
    if (!result.complete()) {
      throw new IllegalStateException(
          what
              + ": "
              + result.ok()
              + " of "
              + result.planned()
              + " answered 2xx within "
              + "the time limit (sent "
              + result.sent()
              + ", errors "
              + result.errors()
              + ", statuses "
              + result.statuses()
              + ")");
    }
    return result;
  }

  static int freePort() {
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
