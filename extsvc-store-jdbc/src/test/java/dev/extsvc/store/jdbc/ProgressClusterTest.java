package dev.extsvc.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.Acknowledgement;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.testing.Callbacks;
import dev.extsvc.runtime.testing.LoopbackService;
import dev.extsvc.spec.RequestParts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Progress callbacks and fenced leases together, on two runtimes sharing one PostgreSQL database (a
 * pool each, as two processes): a batched handler run whose node lost its lease is recorded
 * superseded, the next claim runs the same batch again whole, and nothing is settled or completed
 * twice. Nodes are paused through their store as in {@link ClusterTest}.
 */
class ProgressClusterTest {
  static final String JOBS = "Jobs";
  static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedPostgres postgres;

  /** A job service whose {@code status} callbacks report progress and {@code done} completes. */
  static final String SPEC =
      """
      openapi: 3.0.3
      info: {title: Jobs, version: '1'}
      paths:
        /jobs:
          post:
            operationId: runJob
            requestBody:
              required: true
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      hooks: {type: object, properties: {status: {type: string}, done: {type: string}}}
            responses:
              '202': {description: accepted}
            callbacks:
              status:
                x-extsvc-final: false
                '{$request.body#/hooks/status}':
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema: {type: object, properties: {state: {type: string}}}
                    responses: {'200': {description: ok}}
              done:
                '{$request.body#/hooks/done}':
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema: {type: object}
                    responses: {'200': {description: ok}}
      """;

  private final LoopbackService jobs = new LoopbackService().answer(202, "{}");
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
    BatchHandler.reset();
    String schema = "progress_cluster_" + SCHEMAS.incrementAndGet();
    try (var connection = postgres.getPostgresDatabase().getConnection();
        var statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres?currentSchema=" + schema;
  }

  @AfterEach
  void closeAll() throws Exception {
    BatchHandler.permits.release(100);
    for (var closeable : cleanup.reversed()) {
      closeable.close();
    }
    jobs.close();
  }

  @Test
  void aBatchedRunThatLostItsLeaseIsSupersededAndTheNextClaimRunsTheWholeBatchOnce() {
    Node a = node("node-a", Duration.ofHours(1));
    a.services.register(SPEC, null);
    Node b = node("node-b", Duration.ofMillis(300));
    InvocationResult r = submit(a);

    BatchHandler.block = true;
    assertThat(send(a, r, "status", "{\"state\":\"queued\"}").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> BatchHandler.RUNS.get() == 1);
    // While the first run holds the invocation, two more arrive: they wait for the next run.
    assertThat(send(a, r, "status", "{\"state\":\"running\"}").status()).isEqualTo(200);
    assertThat(send(a, r, "status", "{\"state\":\"almost\"}").status()).isEqualTo(200);
    BatchHandler.permits.release(); // the first run ends; the next takes both together
    await().atMost(Duration.ofSeconds(10)).until(() -> BatchHandler.RUNS.get() == 2);
    assertThat(BatchHandler.BATCHES.get(1)).containsExactly("running", "almost");

    a.link.paused = true; // A's heartbeats and renewals stop reaching the database
    BatchHandler.block = false; // the run that takes over does not wait

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                b.services.callbacks(r.invocationId()).stream()
                    .allMatch(c -> c.outcome() == CallbackOutcome.HANDLED));
    a.link.paused = false; // A comes back, its batch run finishes and tries to record progress
    BatchHandler.permits.release();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> kinds(b, r).contains(EventKind.HANDLER_SUPERSEDED));

    assertThat(BatchHandler.BATCHES)
        .as("the lost batch run again whole, in order, once")
        .containsExactly(
            List.of("queued"), List.of("running", "almost"), List.of("running", "almost"));
    assertThat(message(b, r, EventKind.HANDLER_SUPERSEDED))
        .contains("node-a", "lost its lease", "2 callbacks of status");
    assertThat(b.services.invocation(r.invocationId()).orElseThrow().status())
        .as("progress leaves it waiting")
        .isEqualTo(InvocationStatus.PENDING);
    assertThat(b.services.callbacks(r.invocationId()))
        .extracting(CallbackRow::attempts)
        .as("each callback settled once")
        .containsOnly(1);

    assertThat(send(b, r, "done", "{}").status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                b.services.invocation(r.invocationId()).orElseThrow().status()
                    == InvocationStatus.COMPLETED);
    assertThat(kinds(b, r)).containsOnlyOnce(EventKind.COMPLETED, EventKind.HANDLER_SUPERSEDED);
    assertThat(BatchHandler.BATCHES).hasSize(4).last().isEqualTo(List.of("done"));
  }

  private Node node(String id, Duration recoveryGrace) {
    Link link = new Link();
    JdbcStore real = JdbcStore.postgres(url, "postgres", "postgres");
    Store store = link.over(real);
    ExternalServices services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("https://hooks.example.test")
            .nodeId(id)
            .allowPrivateNetworks(true)
            .endpoint(JOBS, jobs.url())
            .handlerType(BatchHandler.class)
            .acknowledgement(JOBS, Acknowledgement.DURABLE)
            .heartbeatInterval(Duration.ofMillis(200))
            .nodeTimeout(NODE_TIMEOUT)
            .sweepInterval(Duration.ofMillis(200))
            .recoveryGrace(recoveryGrace)
            .build();
    cleanup.add(real);
    cleanup.add(services);
    return new Node(services, store, link);
  }

  private record Node(ExternalServices services, Store store, Link link) {}

  /**
   * Between a node and its store: while {@code paused}, its heartbeats and lease renewals are
   * dropped but answered as done (the node believes it is heard), as in {@link ClusterTest}.
   */
  static final class Link {
    volatile boolean paused;

    Store over(Store real) {
      return (Store)
          Proxy.newProxyInstance(
              Store.class.getClassLoader(),
              new Class<?>[] {Store.class},
              (proxy, method, args) -> {
                String name = method.getName();
                if (paused && (name.equals("renew") || name.equals("heartbeat"))) {
                  return true;
                }
                try {
                  return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
    }
  }

  private InvocationResult submit(Node node) {
    try {
      return node.services.invoke(
          JOBS,
          "runJob",
          new RequestParts().body(JSON.readTree("{\"hooks\":{}}")),
          new BatchHandler("job-1"),
          Duration.ofHours(1));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static CallbackResponse send(Node node, InvocationResult r, String key, String body) {
    return node.services.receiver().handle(Callbacks.post(r.callbackUrls().get(key), body));
  }

  private static List<EventKind> kinds(Node node, InvocationResult r) {
    return node.services.events(r.invocationId()).stream().map(EventRow::kind).toList();
  }

  private static String message(Node node, InvocationResult r, EventKind kind) {
    return node.services.events(r.invocationId()).stream()
        .filter(e -> e.kind() == kind)
        .map(EventRow::message)
        .findFirst()
        .orElseThrow();
  }

  /**
   * Records each run's batch (the {@code state} of each callback, or the key when it has none);
   * while {@link #block} is set a run waits for a permit, as a slow handler would.
   */
  static final class BatchHandler implements CallbackHandler {
    static final List<List<String>> BATCHES = new CopyOnWriteArrayList<>();
    static final AtomicInteger RUNS = new AtomicInteger();
    static volatile boolean block;
    static volatile Semaphore permits = new Semaphore(0);

    private String job = "";

    private BatchHandler() {}

    BatchHandler(String job) {
      this.job = job;
    }

    String job() {
      return job;
    }

    static void reset() {
      BATCHES.clear();
      RUNS.set(0);
      block = false;
      permits = new Semaphore(0);
    }

    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) throws Exception {
      List<String> batch = new ArrayList<>();
      for (ReceivedCallback c : callbacks) {
        var body = c.body();
        batch.add(body != null && body.has("state") ? body.get("state").asText() : c.key());
      }
      BATCHES.add(List.copyOf(batch));
      RUNS.incrementAndGet();
      if (block && !permits.tryAcquire(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    }
  }
}
