package dev.extsvc.cli;

import dev.extsvc.mock.MockService;
import dev.extsvc.mock.Scenario;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.ServiceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The demo's second story: one parcel booked with Swift Parcels ({@code examples/parcels.yaml}),
 * whose mock follows a {@link Scenario}: three status updates (progress), a tracker heartbeat that
 * moves the deadline, then the delivery (final); every callback sent twice, the first two updates
 * swapped. What the handler saw, the deadline's move and the status come from the store.
 */
final class DemoParcels {
  static final String SERVICE = "Swift Parcels";
  static final String OPERATION = "CreateShipment";
  static final String STATUS = "shipmentStatus";
  static final String HEARTBEAT = "trackerAlive";
  static final String DELIVERED = "shipmentDelivered";
  static final String RECIPIENT = "Erin";

  /** The booking's own deadline; the heartbeat (PT2H) moves it further. */
  static final Duration CALLBACK_TIMEOUT = Duration.ofMinutes(10);

  /**
   * The seed whose shuffle swaps the send times of the first two status updates and keeps the rest
   * in plan order: one callback out of order, and the delivery still last.
   */
  static final long SHUFFLE_SEED = 67;

  /** Prints the debug log of some invocations until they are final; false when it timed out. */
  @FunctionalInterface
  interface Follow {
    boolean follow(Map<UUID, String> names, Instant start) throws InterruptedException;
  }

  private DemoParcels() {}

  /** The scenario: the first callback after {@code delay}, the others a quarter of it apart. */
  static Scenario scenario(Duration delay) {
    Duration every = delay.dividedBy(4);
    return new Scenario(
            List.of(
                new Scenario.Step(STATUS, 3, every),
                new Scenario.Step(HEARTBEAT, 1, every),
                new Scenario.Step(DELIVERED, 1, every)),
            0,
            false,
            Duration.ZERO,
            0)
        .withDuplicates(1)
        .withOutOfOrder(true, SHUFFLE_SEED);
  }

  /** The Swift Parcels mock, started. */
  static MockService startMock(String document, Duration delay) {
    Registration view = Registrar.defaults().register(document, null);
    ServiceDefinition service =
        Objects.requireNonNull(view.service(), "the parcels spec has errors");
    return MockService.builder(service)
        .callbackDelay(delay)
        .scenario(scenario(delay))
        .answers((op, request) -> Json.MAPPER.createObjectNode().put("trackingNumber", "SP-4711"))
        .payloads(
            (key, def, request) ->
                key.equals(DELIVERED)
                    ? Json.MAPPER
                        .createObjectNode()
                        .put(
                            "signedBy",
                            request.body() == null
                                ? "?"
                                : request.body().at("/parcel/to").asText("?"))
                        .put("at", Instant.now().toString())
                    : null) // the spec's examples
        .build()
        .start();
  }

  /** Registers the service, books one parcel and follows it to the end; true when all went well. */
  static boolean run(
      ExternalServices services, MockService mock, String document, PrintWriter out, Follow follow)
      throws InterruptedException {
    ParcelHandler.RUNS.clear();
    ParcelHandler.timedOut = null;
    Registration r = services.register(document, null);
    if (!r.ok()) {
      r.report().errors().forEach(d -> out.println("  " + d));
      return false;
    }
    ServiceDefinition service = Objects.requireNonNull(r.service(), "registered without errors");
    Operation op = service.operation(OPERATION).orElseThrow();
    out.printf(
        "Registered %s %s: %s is asynchronous; its callback keys%n",
        service.name(), service.version(), op.id());
    for (CallbackDefinition c : op.callbacks()) {
      out.printf("  %-18s %s%n", c.key(), role(c));
    }
    out.println();

    Instant started = Instant.now();
    RequestParts request =
        new RequestParts()
            .body(
                Json.MAPPER
                    .createObjectNode()
                    .set(
                        "parcel",
                        Json.MAPPER.createObjectNode().put("to", RECIPIENT).put("weightKg", 2.5)));
    InvocationResult result =
        services.invoke(
            SERVICE, OPERATION, request, new ParcelHandler(RECIPIENT), CALLBACK_TIMEOUT);
    UUID id = result.invocationId();
    Instant firstDeadline = services.invocation(id).orElseThrow().deadline();
    out.printf(
        "Booking a parcel for %s: HTTP %d %s  invocation %s, deadline in %d min%n",
        RECIPIENT,
        result.statusCode(),
        result.body() == null ? "" : result.body().strip(),
        id,
        CALLBACK_TIMEOUT.toMinutes());
    out.println();
    out.println(
        "Waiting for the parcel's callbacks (three updates, a heartbeat, the delivery; each sent"
            + " twice)");
    out.flush();
    boolean finished = follow.follow(Map.of(id, RECIPIENT), started);
    // the final callback's own copy comes after the invocation completed: wait for it (bounded),
    // so the summary counts every repeat
    Scenario scenario = scenario(Duration.ZERO);
    int planned =
        scenario.steps().stream().mapToInt(Scenario.Step::times).sum()
            * (scenario.duplicates() + 1);
    Instant until = Instant.now().plusSeconds(5);
    while (mock.deliveries().size() < planned && Instant.now().isBefore(until)) {
      Thread.sleep(20);
    }
    return summary(services, id, firstDeadline, out) && finished;
  }

  private static String role(CallbackDefinition c) {
    Duration heartbeat = c.role().heartbeat();
    if (heartbeat != null) {
      return "heartbeat (x-extsvc-heartbeat: "
          + heartbeat
          + "): progress that also moves the deadline";
    }
    return c.role().finalKey()
        ? "final: its callback completes the invocation"
        : "progress (x-extsvc-final: false): the invocation stays PENDING";
  }

  /** Prints what the handler saw and what the store says; true when it is the expected story. */
  private static boolean summary(
      ExternalServices services, UUID id, Instant firstDeadline, PrintWriter out) {
    InvocationRow inv = services.invocation(id).orElseThrow();
    List<CallbackRow> callbacks = services.callbacks(id);
    List<EventRow> events = services.events(id);
    List<ParcelHandler.Run> runs = List.copyOf(ParcelHandler.RUNS);
    List<String> seen = new ArrayList<>();
    for (ParcelHandler.Run run : runs) {
      seen.add(run.key() + " " + String.join(" ", run.sequences()));
    }
    long completed = events.stream().filter(e -> e.kind() == EventKind.COMPLETED).count();
    long duplicates = events.stream().filter(e -> e.kind() == EventKind.CALLBACK_DUPLICATE).count();
    List<EventRow> moves =
        events.stream().filter(e -> e.kind() == EventKind.DEADLINE_EXTENDED).toList();

    out.println();
    out.println("Summary (Swift Parcels)");
    out.printf("  handler runs  %s%n", seen.isEmpty() ? "none" : String.join(", ", seen));
    out.printf(
        "  callbacks     %d stored, %d handled; %d repeats answered without running the handler%n",
        callbacks.size(),
        callbacks.stream().filter(c -> c.outcome() == CallbackOutcome.HANDLED).count(),
        duplicates);
    out.printf(
        "  deadline      %s%n",
        moves.isEmpty()
            ? "not moved (" + inv.deadline() + ")"
            : "moved by the heartbeat from " + firstDeadline + " to " + inv.deadline());
    out.printf("  status        %s (%d COMPLETED event)%n", inv.status(), completed);

    boolean handledEach =
        count(callbacks, STATUS) == 3
            && count(callbacks, HEARTBEAT) == 1
            && count(callbacks, DELIVERED) == 1
            && callbacks.stream().allMatch(c -> c.outcome() == CallbackOutcome.HANDLED);
    List<String> statusSequences =
        runs.stream()
            .filter(run -> run.key().equals(STATUS))
            .flatMap(run -> run.sequences().stream())
            .sorted()
            .toList();
    boolean sawEach =
        statusSequences.equals(List.of("#1", "#2", "#3"))
            && !runs.isEmpty()
            && runs.get(runs.size() - 1).key().equals(DELIVERED)
            && runs.stream().filter(run -> run.key().equals(DELIVERED)).count() == 1;
    boolean moved = !moves.isEmpty() && inv.deadline().isAfter(firstDeadline);
    return inv.status().name().equals("COMPLETED")
        && completed == 1
        && handledEach
        && sawEach
        && moved
        && ParcelHandler.timedOut == null;
  }

  private static long count(List<CallbackRow> callbacks, String key) {
    return callbacks.stream().filter(c -> c.key().equals(key)).count();
  }

  static String spec() throws IOException {
    try (InputStream in = DemoParcels.class.getResourceAsStream("parcels.yaml")) {
      if (in == null) {
        throw new IOException("the parcels spec is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
