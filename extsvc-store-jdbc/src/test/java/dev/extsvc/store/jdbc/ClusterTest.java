package dev.extsvc.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.Acknowledgement;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.runtime.testing.Callbacks;
import dev.extsvc.runtime.testing.LoopbackService;
import dev.extsvc.spec.RequestParts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two runtimes on one PostgreSQL database, each with a store (a pool) of its own as two processes
 * would have: a handler run is never doubled by a lease running out, a node taken for dead loses
 * its runs to a live one (and their late outcomes are refused), a dead node's callbacks are taken
 * over within seconds with one event each, and a node's wall clock does not decide any deadline.
 * Nodes are "paused" or "killed" through their store: a paused node's heartbeats and lease renewals
 * stop reaching the database; a killed node reaches it no more at all and never deregisters.
 */
class ClusterTest {
  static final String ACME = "Acme Mortgages";
  static final String SUBMIT = "SubmitApplication";
  static final String APPROVED = "applicationOutcomeApproved";
  static final String APPROVED_BODY =
      "{\"applicationNumber\":\"A-1001\",\"status\":\"approved\",\"approvedAmount\":350000}";
  static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedPostgres postgres;

  private final LoopbackService bank = new LoopbackService();
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private String url;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @BeforeEach
  void freshSchema() throws SQLException {
    ClusterHandler.reset();
    String schema = "cluster_" + SCHEMAS.incrementAndGet();
    try (var connection = postgres.getPostgresDatabase().getConnection();
        var statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres?currentSchema=" + schema;
  }

  @AfterEach
  void closeAll() throws Exception {
    ClusterHandler.release.countDown();
    for (var closeable : cleanup.reversed()) {
      closeable.close();
    }
    bank.close();
  }

  @Test
  void aHandlerRunningLongerThanItsLeaseRunsOnceBecauseTheLeaseIsRenewed() {
    ClusterHandler.runMillis = 3000;
    Node a = node("node-a", b -> b.callbackLease(Duration.ofMillis(900)));
    a.services.register(acmeSpec(), null);
    Node b = node("node-b", eager());
    InvocationResult r = submit(a, Duration.ofHours(1));

    assertThat(send(a, r).status()).isEqualTo(200); // durable: accepted, the handler goes on

    await().atMost(Duration.ofSeconds(20)).until(() -> status(b, r) == InvocationStatus.COMPLETED);
    assertThat(ClusterHandler.RUNS).as("a lease renewed while its handler runs").hasValue(1);
    assertThat(ClusterHandler.MAX_IN_FLIGHT).hasValue(1);
    assertThat(kinds(b, r))
        .containsOnlyOnce(EventKind.HANDLER_OK)
        .doesNotContain(EventKind.HANDLER_SUPERSEDED, EventKind.CALLBACK_RECOVERED);
  }

  @Test
  void aPausedNodeLosesItsLeaseAndItsLateCompletionIsRefusedAndRecordedAsSuperseded() {
    Node a = node("node-a", b -> {});
    a.services.register(acmeSpec(), null);
    Node b = node("node-b", eager());
    InvocationResult r = submit(a, Duration.ofHours(1));
    ClusterHandler.block = true;
    send(a, r);
    await().atMost(Duration.ofSeconds(10)).until(() -> ClusterHandler.RUNS.get() == 1);

    a.link.paused = true; // A's heartbeats and renewals stop reaching the database
    ClusterHandler.block = false; // B's run, once it takes over, does not wait
    long paused = System.nanoTime();

    await().atMost(Duration.ofSeconds(20)).until(() -> status(b, r) == InvocationStatus.COMPLETED);
    Duration takeover = Duration.ofNanos(System.nanoTime() - paused);
    System.out.printf(
        "ClusterTest: a paused node's run taken over in %d ms%n", takeover.toMillis());
    assertThat(b.store.nodes()).extracting(NodeRow::id).doesNotContain("node-a");

    a.link.paused = false; // A comes back, its handler finishes and tries to complete
    ClusterHandler.release.countDown();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> kinds(b, r).contains(EventKind.HANDLER_SUPERSEDED));
    assertThat(takeover).isLessThan(NODE_TIMEOUT.plusSeconds(5));
    assertThat(kinds(b, r))
        .containsOnlyOnce(
            EventKind.HANDLER_OK,
            EventKind.COMPLETED,
            EventKind.CALLBACK_RECOVERED,
            EventKind.HANDLER_SUPERSEDED);
    assertThat(message(b, r, EventKind.HANDLER_SUPERSEDED)).contains("node-a", "lost its lease");
    assertThat(message(b, r, EventKind.CALLBACK_RECOVERED)).contains("node-b");
    assertThat(b.services.callbacks(r.invocationId()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.HANDLED);
              assertThat(c.attempts()).as("one completion").isEqualTo(1);
            });
    assertThat(ClusterHandler.RUNS).hasValue(2);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(b.store.nodes())
                    .as("A registers again once it is heard from")
                    .extracting(NodeRow::id)
                    .contains("node-a", "node-b"));
  }

  @Test
  void aStalledNodesRunIsInterruptedAndRecordedSupersededBeforeAnotherNodeCanTakeItOver() {
    Node a = node("node-a", b -> {});
    a.services.register(acmeSpec(), null);
    Node b = node("node-b", eager());
    InvocationResult r = submit(a, Duration.ofHours(1));
    ClusterHandler.block = true;
    send(a, r);
    await().atMost(Duration.ofSeconds(10)).until(() -> ClusterHandler.RUNS.get() == 1);

    // As SIGSTOP would: A's heartbeats and renewals are not sent (they wait) while the monotonic
    // clock goes on; A's handler is still running.
    long lastBeatBefore = System.nanoTime();
    a.link.stalled = true;
    ClusterHandler.block = false; // B's run, once it takes over, does not wait

    await().atMost(Duration.ofSeconds(20)).until(() -> status(b, r) == InvocationStatus.COMPLETED);
    a.link.stalled = false;

    assertThat(ClusterHandler.INTERRUPTED).as("A's handler was interrupted").hasValue(1);
    assertThat(ClusterHandler.HELD_WHEN_INTERRUPTED)
        .as("HandlerLease.held() said so at once")
        .containsExactly(false);
    assertThat(Duration.ofNanos(ClusterHandler.interruptedAtNanos - lastBeatBefore))
        .as("dropped within the node timeout less its margin, before anyone could take A for dead")
        .isLessThan(NODE_TIMEOUT);
    List<EventRow> events = b.services.events(r.invocationId());
    EventRow superseded = only(events, EventKind.HANDLER_SUPERSEDED);
    EventRow recovered = only(events, EventKind.CALLBACK_RECOVERED);
    assertThat(superseded.id())
        .as("superseded recorded before B's takeover started")
        .isLessThan(recovered.id());
    assertThat(superseded.at()).isBefore(recovered.at());
    assertThat(superseded.message()).contains("node-a", "no heartbeat");
    assertThat(recovered.message()).contains("node-b");
    assertThat(kinds(b, r)).containsOnlyOnce(EventKind.HANDLER_OK, EventKind.COMPLETED);
    assertThat(ClusterHandler.RUNS).hasValue(2);
    assertThat(ClusterHandler.MAX_IN_FLIGHT).as("never two runs at once").hasValue(1);
  }

  @Test
  void aNodeGoneWithoutDeregisteringIsTakenOverWithinTheNodeTimeoutAndAFewSecondsWithoutGrace() {
    Duration heartbeat = Duration.ofMillis(200);
    Node a = node("node-a", b -> {});
    a.services.register(acmeSpec(), null);
    // B's poll would wait an hour for unfinished callbacks: only its takeover, right after it
    // found A dead, can take them.
    Node b = node("node-b", builder -> builder.recoveryGrace(Duration.ofHours(1)));
    List<InvocationResult> invocations = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      invocations.add(submit(a, Duration.ofHours(1)));
    }
    ClusterHandler.block = true;
    invocations.forEach(r -> assertThat(send(a, r).status()).isEqualTo(200));
    await().atMost(Duration.ofSeconds(10)).until(() -> ClusterHandler.RUNS.get() == 5);

    a.link.cut = true; // closed as by kill -9: never deregisters, never writes again
    ClusterHandler.block = false;
    long killed = System.nanoTime();

    Duration bound = NODE_TIMEOUT.plus(heartbeat.multipliedBy(2)).plusSeconds(3);
    await()
        .atMost(bound.plusSeconds(10))
        .until(
            () -> invocations.stream().allMatch(r -> status(b, r) == InvocationStatus.COMPLETED));
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
    System.out.printf(
        "ClusterTest: a node gone without deregistering taken over in %d ms (bound %d ms)%n",
        takeover.toMillis(), bound.toMillis());
    assertThat(takeover)
        .as(
            "node timeout %s + two heartbeats %s + 3 s for a loaded machine",
            NODE_TIMEOUT, heartbeat)
        .isLessThan(bound);
    for (InvocationResult r : invocations) {
      assertThat(kinds(b, r))
          .containsOnlyOnce(
              EventKind.CALLBACK_RECOVERED, EventKind.HANDLER_OK, EventKind.COMPLETED);
    }
  }

  @Test
  void aKilledNodesCallbacksAreTakenOverWithinSecondsWithOneEventEach() {
    Node a = node("node-a", b -> {});
    a.services.register(acmeSpec(), null);
    Node b = node("node-b", eager());
    List<InvocationResult> invocations = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      invocations.add(submit(a, Duration.ofHours(1)));
    }
    ClusterHandler.block = true;
    invocations.forEach(r -> assertThat(send(a, r).status()).isEqualTo(200));
    await().atMost(Duration.ofSeconds(10)).until(() -> ClusterHandler.RUNS.get() == 10);

    a.link.cut = true; // as kill -9: A never writes again and never deregisters
    ClusterHandler.block = false;
    long killed = System.nanoTime();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> invocations.stream().allMatch(r -> status(b, r) == InvocationStatus.COMPLETED));
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
    // The figure docs/reliability.md quotes; the assertion below is its bound.
    System.out.printf(
        "ClusterTest: 10 callbacks of a killed node taken over in %d ms%n", takeover.toMillis());

    assertThat(takeover)
        .as("dead after %s without heartbeats, then taken over at once", NODE_TIMEOUT)
        .isLessThan(NODE_TIMEOUT.plusSeconds(5));
    for (InvocationResult r : invocations) {
      assertThat(kinds(b, r))
          .as("one takeover, one event, claims first")
          .containsOnlyOnce(
              EventKind.CALLBACK_RECOVERED, EventKind.HANDLER_OK, EventKind.COMPLETED);
    }
    assertThat(ClusterHandler.RUNS).hasValue(20);
    assertThat(b.store.nodes()).extracting(NodeRow::id).containsExactly("node-b");
  }

  @Test
  void aNodeWhoseWallClockIsAMinuteAheadNeitherTimesOutEarlyNorAnswersACallbackLate() {
    Node a = node("node-a", b -> {});
    a.services.register(acmeSpec(), null);
    Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(60));
    Node b = node("node-b", eager().andThen(builder -> builder.clock(ahead)));
    Duration skew = Duration.between(a.services.clock().instant(), b.services.clock().instant());
    assertThat(skew.abs())
        .as("both nodes read the database's clock")
        .isLessThan(Duration.ofSeconds(1));

    InvocationResult waiting = submit(a, Duration.ofSeconds(5));
    InvocationResult answered = submit(a, Duration.ofSeconds(30));
    long submitted = System.nanoTime();

    assertThat(send(b, answered).status())
        .as("within its 30 s by the database's clock, though past them by B's")
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(b, waiting) == InvocationStatus.TIMED_OUT);
    Duration waited = Duration.ofNanos(System.nanoTime() - submitted);

    InvocationRow timedOut = b.services.invocation(waiting.invocationId()).orElseThrow();
    assertThat(waited)
        .as("not at once, as B's wall clock would say")
        .isGreaterThan(Duration.ofMillis(4500));
    assertThat(timedOut.finishedAt())
        .as("timed out at its deadline by the database's clock")
        .isBetween(timedOut.deadline(), timedOut.deadline().plusSeconds(2));
    assertThat(status(b, answered)).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void twoNodesSweepingAtOnceTimeOutEachInvocationOnceAndRunEachTimeoutHookOnce() throws Exception {
    Node a = node("node-a", builder -> builder.startSweeper(false));
    a.services.register(acmeSpec(), null);
    Node b = node("node-b", builder -> builder.startSweeper(false));
    List<InvocationResult> submitted =
        IntStream.range(0, 120).mapToObj(i -> submit(a, Duration.ofSeconds(1))).toList();
    Instant due =
        submitted.stream()
            .map(r -> a.services.invocation(r.invocationId()).orElseThrow().deadline())
            .max(Comparator.naturalOrder())
            .orElseThrow();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.services.clock().instant().isAfter(due));

    // Each node sweeps in its lanes (two on PostgreSQL): four claimers on one table at once.
    var start = new CountDownLatch(1);
    try (var sweepers = Executors.newVirtualThreadPerTaskExecutor()) {
      var onA =
          sweepers.submit(
              () -> {
                start.await();
                return a.services.sweepNow();
              });
      var onB =
          sweepers.submit(
              () -> {
                start.await();
                return b.services.sweepNow();
              });
      start.countDown();
      assertThat(onA.get(30, TimeUnit.SECONDS) + onB.get(30, TimeUnit.SECONDS)).isEqualTo(120);
    }

    assertThat(ClusterHandler.TIMEOUT_HOOKS)
        .hasSize(120)
        .containsOnlyKeys(submitted.stream().map(InvocationResult::invocationId).toList())
        .allSatisfy((id, runs) -> assertThat(runs).as("hook runs of %s", id).isEqualTo(1));
    for (InvocationResult r : submitted) {
      assertThat(status(a, r)).isEqualTo(InvocationStatus.TIMED_OUT);
      assertThat(a.services.events(r.invocationId()))
          .filteredOn(e -> e.kind() == EventKind.TIMED_OUT)
          .hasSize(1);
    }
    assertThat(a.services.sweepNow() + b.services.sweepNow()).isZero();
    assertThat(ClusterHandler.TIMEOUT_HOOKS.values()).containsOnly(1);
  }

  /** A node that looks for dead nodes and unfinished callbacks often. */
  private static Consumer<ExternalServices.Builder> eager() {
    return b -> b.recoveryGrace(Duration.ofMillis(300));
  }

  /** One runtime with a store of its own, reaching the database through a link a test can break. */
  private Node node(String id, Consumer<ExternalServices.Builder> extra) {
    Link link = new Link();
    JdbcStore real = JdbcStore.postgres(url, "postgres", "postgres");
    Store store = link.over(real);
    ExternalServices.Builder builder =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("https://hooks.example.test")
            .nodeId(id)
            .allowPrivateNetworks(true)
            .endpoint(ACME, bank.url())
            .handlerType(ClusterHandler.class)
            .acknowledgement(ACME, Acknowledgement.DURABLE)
            .heartbeatInterval(Duration.ofMillis(200))
            .nodeTimeout(NODE_TIMEOUT)
            .sweepInterval(Duration.ofMillis(200));
    extra.accept(builder);
    ExternalServices services = builder.build();
    cleanup.add(real);
    cleanup.add(services);
    return new Node(services, store, link);
  }

  private record Node(ExternalServices services, Store store, Link link) {}

  /**
   * Between a node and its store: {@code paused} drops its heartbeats and lease renewals (they
   * answer as if done: the node believes it is heard), {@code stalled} holds them back (the node
   * knows it is not), {@code cut} fails every call as a dead process's would never arrive.
   */
  static final class Link {
    volatile boolean paused;
    volatile boolean cut;

    /** Heartbeats and renewals wait (up to 60 s) while set, as a stopped process's would. */
    volatile boolean stalled;

    Store over(Store real) {
      return (Store)
          Proxy.newProxyInstance(
              Store.class.getClassLoader(),
              new Class<?>[] {Store.class},
              (proxy, method, args) -> {
                if (cut) {
                  throw new StoreUnavailableException(
                      "cut off (test)", new IOException("connection reset"));
                }
                boolean beat =
                    method.getName().equals("renew") || method.getName().equals("heartbeat");
                if (paused && beat) {
                  return true;
                }
                for (int i = 0; stalled && beat && i < 6000; i++) {
                  Thread.sleep(10);
                }
                try {
                  return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
    }
  }

  private InvocationResult submit(Node node, Duration callbackTimeout) {
    try {
      return node.services.invoke(
          ACME,
          SUBMIT,
          new RequestParts().body(JSON.readTree("{\"applicant\":{\"name\":\"Ada\"}}")),
          new ClusterHandler("Ada"),
          callbackTimeout);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static CallbackResponse send(Node node, InvocationResult r) {
    return node.services
        .receiver()
        .handle(Callbacks.post(r.callbackUrls().get(APPROVED), APPROVED_BODY));
  }

  private static InvocationStatus status(Node node, InvocationResult r) {
    return node.services.invocation(r.invocationId()).orElseThrow().status();
  }

  private static List<EventKind> kinds(Node node, InvocationResult r) {
    return node.services.events(r.invocationId()).stream().map(EventRow::kind).toList();
  }

  private static EventRow only(List<EventRow> events, EventKind kind) {
    List<EventRow> of = events.stream().filter(e -> e.kind() == kind).toList();
    assertThat(of).as("%s events", kind).hasSize(1);
    return of.get(0);
  }

  private static String message(Node node, InvocationResult r, EventKind kind) {
    return node.services.events(r.invocationId()).stream()
        .filter(e -> e.kind() == kind)
        .map(EventRow::message)
        .findFirst()
        .orElseThrow();
  }

  private static String acmeSpec() {
    try {
      return Files.readString(Path.of("../examples/acme-mortgages.json"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
