package dev.extsvc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.ServiceDefinition;
import dev.extsvc.store.jdbc.JdbcStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The seed's story in one process: the server on the embedded store, a mock bank, the Acme spec; a
 * handful of mortgage applications whose outcomes arrive by callback after short delays; each step
 * shown as it happens. Then a second story ({@link DemoParcels}): one parcel whose mock sends
 * several callbacks by a scenario (progress, a heartbeat, the final one, duplicates, one out of
 * order).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run the Acme Mortgages story, then a parcel tracked by several callbacks, end to end in"
            + " one process (exit 0 when both worked).")
final class DemoCommand implements Callable<Integer> {
  private static final String SERVICE = "Acme Mortgages";
  private static final String APPROVED = "applicationOutcomeApproved";
  private static final String REJECTED = "applicationOutcomeRejected";
  private static final String ERROR = "applicationError";

  /** Who applies, and what the bank will decide. */
  private record Applicant(String name, String address, String outcome) {}

  private static final List<Applicant> APPLICANTS =
      List.of(
          new Applicant("Alice", "1 Main St", APPROVED),
          new Applicant("Bob", "2 Oak Ave", REJECTED),
          new Applicant("Carol", "3 Elm Rd", APPROVED),
          new Applicant("Dave", "4 Pine Ct", ERROR));

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", description = "data directory (default: a new temporary one)")
  Path data;

  @Option(
      names = "--delay",
      defaultValue = "1s",
      description =
          "the bank's delay before calling back, e.g. 200ms, 1s (default: ${DEFAULT-VALUE})")
  Duration delay;

  @Option(
      names = "--timeout",
      defaultValue = "60s",
      description = "how long to wait for all callbacks (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(
      names = "--keep-running",
      description = "keep the server (REST API, console) running after the story, until Ctrl-C")
  boolean keepRunning;

  @Option(names = "--port", description = "the server's port (default: a free one)")
  int port;

  @Option(
      names = "--verbose",
      description = "log extsvc's INFO and DEBUG lines (default: warnings only)")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Ports.requireFree("127.0.0.1", port);
    Logging.verbose(verbose);
    DemoHandler.console = out;
    DemoHandler.OUTCOMES.clear();
    Path dir = data != null ? data : Files.createTempDirectory("extsvc-demo-");
    String document = acmeSpec();
    String parcelsDocument = DemoParcels.spec();
    int port = this.port == 0 ? Ports.free() : this.port;
    AtomicInteger applicationNumbers = new AtomicInteger(1000);
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    try (JdbcStore store = JdbcStore.sqlite(dir.resolve("extsvc.db"))) {
      Registration bankView = dev.extsvc.spec.Registrar.defaults().register(document, null);
      try (MockService bank =
              MockService.builder(Objects.requireNonNull(bankView.service(), "the spec has errors"))
                  .callbackDelay(delay)
                  .keyRule(KeyRule.roundRobin())
                  .answers(
                      (op, request) ->
                          Json.MAPPER
                              .createObjectNode()
                              .put(
                                  "applicationNumber",
                                  "ACME-" + applicationNumbers.incrementAndGet()))
                  .payloads(DemoCommand::decision)
                  .build()
                  .start();
          MockService parcels = DemoParcels.startMock(parcelsDocument, delay);
          ExternalServices services =
              ExternalServices.builder()
                  .store(store)
                  .publicBaseUrl("http://127.0.0.1:" + port)
                  .endpoint(SERVICE, bank.baseUrl())
                  .endpoint(DemoParcels.SERVICE, parcels.baseUrl())
                  .allowPrivateNetworks(true) // the mocks run on loopback, in this process
                  .handlerType(DemoHandler.class)
                  .handlerType(ParcelHandler.class)
                  .meterRegistry(metrics)
                  .build();
          ExtsvcServer server =
              ExtsvcServer.builder(services).port(port).metrics(metrics).build().start()) {
        out.println("extsvc demo: Acme Mortgages, then Swift Parcels, end to end");
        out.printf("  store   %s (SQLite)%n", dir.resolve("extsvc.db"));
        out.printf(
            "  server  %s  (callbacks at /callbacks/..., REST API at /api)%n", server.localUrl());
        out.printf("  bank    %s  (mock; calls back after %s)%n", bank.baseUrl(), human(delay));
        out.printf(
            "  parcels %s  (mock; scenario: 3 status updates, a heartbeat, the delivery, %s"
                + " apart after %s; each sent twice, two swapped)%n%n",
            parcels.baseUrl(), human(delay.dividedBy(4)), human(delay));

        Registration r = services.register(document, null);
        if (!r.ok()) {
          r.report().errors().forEach(d -> out.println("  " + d));
          return 1;
        }
        ServiceDefinition service =
            Objects.requireNonNull(r.service(), "registered without errors");
        Operation op = service.operation("SubmitApplication").orElseThrow();
        out.printf(
            "Registered %s %s: %s is %s; its callback URLs are written to%n",
            service.name(),
            service.version(),
            op.id(),
            op.async() ? "asynchronous" : "synchronous");
        for (CallbackDefinition c : op.callbacks()) {
          out.printf(
              "  %-28s the %s%n",
              c.key(),
              c.target() != null && c.awaitable() ? c.target().describe() : "(cannot be awaited)");
        }
        out.println();

        Instant started =
            Instant
                .now(); // the debug log's times count from here: callbacks may beat the last submit
        out.printf("Submitting %d applications%n", APPLICANTS.size());
        Map<UUID, Applicant> submitted = new LinkedHashMap<>();
        Map<UUID, String> names = new LinkedHashMap<>();
        for (Applicant a : APPLICANTS) {
          RequestParts request =
              new RequestParts()
                  .header(MockService.KEY_HEADER, a.outcome())
                  .body(
                      Json.MAPPER
                          .createObjectNode()
                          .set(
                              "applicant",
                              Json.MAPPER
                                  .createObjectNode()
                                  .put("name", a.name())
                                  .put("address", a.address())));
          InvocationResult result =
              services.invoke(
                  SERVICE, op.id(), request, new DemoHandler(a.name()), Duration.ofMinutes(10));
          submitted.put(result.invocationId(), a);
          names.put(result.invocationId(), a.name());
          out.printf(
              "  %-6s HTTP %d %s  invocation %s%n",
              a.name(),
              result.statusCode(),
              result.body() == null ? "" : result.body().strip(),
              result.invocationId());
        }
        out.println();
        out.println("Waiting for the bank's callbacks (each step from the debug log)");
        out.flush();
        boolean finished = follow(services, names, started, out);

        out.println();
        out.println("Summary");
        out.printf("  %-6s %-28s %-28s %s%n", "who", "bank decided", "handler saw", "status");
        int good = 0;
        for (Map.Entry<UUID, Applicant> e : submitted.entrySet()) {
          InvocationRow inv = services.invocation(e.getKey()).orElseThrow();
          String seen = DemoHandler.OUTCOMES.getOrDefault(e.getValue().name(), "-");
          boolean ok =
              seen.equals(e.getValue().outcome()) && inv.status().name().equals("COMPLETED");
          good += ok ? 1 : 0;
          out.printf(
              "  %-6s %-28s %-28s %s%n",
              e.getValue().name(), e.getValue().outcome(), seen, inv.status());
        }
        boolean acmeWorked = finished && good == submitted.size();
        out.println();
        out.println(
            acmeWorked
                ? "All " + good + " applications reached their handlers by callback."
                : "Only "
                    + good
                    + " of "
                    + submitted.size()
                    + " applications completed as expected.");

        out.println();
        out.println("Second story: a parcel whose journey comes back as several callbacks");
        boolean parcelWorked =
            DemoParcels.run(
                services,
                parcels,
                parcelsDocument,
                out,
                (parcelNames, parcelStart) -> follow(services, parcelNames, parcelStart, out));
        out.println();
        out.println(
            parcelWorked
                ? "The parcel's 3 status updates, its heartbeat and its delivery reached its"
                    + " handler; the heartbeat moved the deadline; COMPLETED once."
                : "The parcel story did not end as expected (see the summary above).");
        boolean success = acmeWorked && parcelWorked;
        if (keepRunning) {
          // the hint only while it holds: the server answers until Ctrl-C
          out.println(
              "The server keeps running until Ctrl-C: try curl "
                  + server.localUrl()
                  + "/api/invocations"
                  + " or open "
                  + server.localUrl()
                  + "/console");
          out.flush();
          UntilStopped.await();
        } else {
          out.println(
              "The server has stopped; ./extsvc demo --keep-running keeps it running to look around.");
        }
        out.flush();
        return success ? 0 : 1;
      }
    } finally {
      if (data == null) {
        deleteQuietly(dir);
      }
    }
  }

  /** Prints new debug-log lines of the invocations until all are final or the timeout passes. */
  private boolean follow(
      ExternalServices services, Map<UUID, String> names, Instant start, PrintWriter out)
      throws InterruptedException {
    // Seen by id and kind: a timeout's event, read from the invocation's state, shares the id of
    // the event before it.
    Set<String> seen = new HashSet<>();
    while (true) {
      List<Object[]> fresh = new ArrayList<>();
      boolean allFinal = true;
      for (Map.Entry<UUID, String> e : names.entrySet()) {
        for (EventRow ev : services.events(e.getKey())) {
          if (seen.add(e.getKey() + "/" + ev.id() + "/" + ev.kind())
              && !List.of(EventKind.SUBMITTED, EventKind.CALLBACK_URL, EventKind.CALLOUT)
                  .contains(ev.kind())) {
            fresh.add(new Object[] {ev, e.getValue()});
          }
        }
        allFinal &= services.invocation(e.getKey()).orElseThrow().status().isFinal();
      }
      fresh.sort(Comparator.comparingLong(o -> ((EventRow) o[0]).id()));
      for (Object[] f : fresh) {
        EventRow ev = (EventRow) f[0];
        out.printf(
            "  +%5.2fs %-6s %-18s %s%n",
            Duration.between(start, ev.at()).toMillis() / 1000.0, f[1], ev.kind(), ev.message());
      }
      out.flush();
      if (allFinal) {
        return true;
      }
      if (Duration.between(start, Instant.now()).compareTo(timeout) > 0) {
        out.println("  timed out waiting for callbacks after " + human(timeout));
        return false;
      }
      Thread.sleep(100);
    }
  }

  /** The bank's decision for each key, with numbers that look like a bank's. */
  static JsonNode decision(String key, CallbackDefinition def, RequestParts request) {
    String name = request.body() == null ? "?" : request.body().at("/applicant/name").asText("?");
    ObjectNode body = Json.MAPPER.createObjectNode().put("applicationNumber", "?");
    return switch (key) {
      case APPROVED ->
          body.put("status", "approved").put("approvedAmount", 250_000 + 10_000 * name.length());
      case REJECTED -> body.put("errorMessage", "Debt-to-income ratio too high");
      default -> body.put("errorMessage", "Proof of income missing for " + name);
    };
  }

  private static String acmeSpec() throws IOException {
    try (InputStream in = DemoCommand.class.getResourceAsStream("acme-mortgages.json")) {
      if (in == null) {
        throw new IOException("the Acme spec is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary directory is harmless.
    }
  }
}
