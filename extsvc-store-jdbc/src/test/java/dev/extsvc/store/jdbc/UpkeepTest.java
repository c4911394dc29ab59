package dev.extsvc.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.Lease;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.spec.ServiceDefinition;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node's upkeep on PostgreSQL (heartbeats, reaping dead nodes, the {@code LISTEN} for service
 * changes) runs on connections of its own: it goes on while requests hold every connection of the
 * store's pool, and the listener comes back after its backend is terminated.
 */
class UpkeepTest {
  private static final Duration HEARTBEAT = Duration.ofMillis(200);
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static EmbeddedPostgres postgres;

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
    String schema = "upkeep_" + SCHEMAS.incrementAndGet();
    try (var connection = direct();
        var statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres?currentSchema=" + schema;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (var closeable : cleanup.reversed()) {
      closeable.close();
    }
  }

  @Test
  void withEveryRequestConnectionHeldTheHeartbeatAdvancesAndADeadNodesLeasesAreReapedInTime()
      throws Exception {
    JdbcStore store = store();
    ExternalServices a = node(store, "node-a", Duration.ofHours(1));
    InvocationRow pending = Fixtures.pending("acme", "submit", Instant.now(), Duration.ofHours(1));
    store.createInvocation(pending, List.of(), List.of());
    Instant now = store.sharedTime();
    store.registerNode(new NodeRow("node-dead", "gone", "1", now, now));
    Optional<Lease> lease =
        store.claim(pending.id(), UUID.randomUUID(), "node-dead", now, now.plusSeconds(3600));
    assertThat(lease).isPresent();

    // requests take every connection of the store's pool and keep them
    DataSource requests = store.requestDataSource();
    assertThat(requests).isNotNull();
    List<Connection> held = new ArrayList<>();
    for (int i = 0; i < JdbcStore.POOL_SIZE; i++) {
      held.add(requests.getConnection());
    }
    held.forEach(c -> cleanup.add(c));
    long start = System.nanoTime();

    Instant before = heartbeatOf("node-a").orElseThrow();
    await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> heartbeatOf("node-a").orElseThrow().isAfter(before.plusMillis(500)));
    await()
        .atMost(NODE_TIMEOUT.plusSeconds(3))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> heartbeatOf("node-dead").isEmpty() && claimNode(pending.id()) == null);
    Duration reaped = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf(
        "UpkeepTest: dead node reaped %d ms after the pool was held%n", reaped.toMillis());
    assertThat(reaped).isLessThan(NODE_TIMEOUT.plusSeconds(3));
    assertThat(a.nodeId()).isEqualTo("node-a");
    assertThat(heartbeatOf("node-a")).as("node-a itself stays registered").isPresent();
  }

  @Test
  void afterItsBackendIsTerminatedTheListenerReconnectsAndARegistrationElsewhereArrivesInSeconds()
      throws Exception {
    // no version check in the test's time: only a notification can bring the service
    ExternalServices a = node(store(), "node-a", Duration.ofHours(1));
    ExternalServices b = node(store(), "node-b", Duration.ofHours(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> listeners().size() == 2);
    List<Integer> before = listeners();

    int terminated = 0;
    try (var connection = direct();
        var statement = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
      for (int pid : before) {
        statement.setInt(1, pid);
        try (var rs = statement.executeQuery()) {
          rs.next();
          terminated += rs.getBoolean(1) ? 1 : 0;
        }
      }
    }
    assertThat(terminated).isEqualTo(2);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              List<Integer> now = listeners();
              return now.size() == 2 && now.stream().noneMatch(before::contains);
            });

    long sent = System.nanoTime();
    assertThat(a.register(acmeSpec(), "Acme Again").ok()).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                b.services().stream().map(ServiceDefinition::name).anyMatch("Acme Again"::equals));
    System.out.printf(
        "UpkeepTest: registration reached the other node %d ms after it was made%n",
        Duration.ofNanos(System.nanoTime() - sent).toMillis());
  }

  private JdbcStore store() {
    JdbcStore store = JdbcStore.postgres(url, "postgres", "postgres");
    cleanup.add(store);
    return store;
  }

  private ExternalServices node(JdbcStore store, String id, Duration registryCheck) {
    ExternalServices services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("https://hooks.example.test")
            .nodeId(id)
            .heartbeatInterval(HEARTBEAT)
            .nodeTimeout(NODE_TIMEOUT)
            .registryCheckInterval(registryCheck)
            .sweepInterval(Duration.ofMillis(200))
            .build();
    cleanup.add(services);
    return services;
  }

  /** The backends listening for service changes, by pid. */
  private static List<Integer> listeners() throws SQLException {
    List<Integer> pids = new ArrayList<>();
    try (var connection = direct();
        var statement = connection.createStatement();
        var rs =
            statement.executeQuery(
                "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%' ORDER BY pid")) {
      while (rs.next()) {
        pids.add(rs.getInt(1));
      }
    }
    return pids;
  }

  private Optional<Instant> heartbeatOf(String node) throws SQLException {
    try (var connection = DriverManager.getConnection(url, "postgres", "postgres");
        var statement =
            connection.prepareStatement("SELECT heartbeat_at FROM extsvc_nodes WHERE id = ?")) {
      statement.setString(1, node);
      try (var rs = statement.executeQuery()) {
        return rs.next() ? Optional.of(Rows.instant(rs.getLong(1))) : Optional.empty();
      }
    }
  }

  private String claimNode(UUID invocation) throws SQLException {
    try (var connection = DriverManager.getConnection(url, "postgres", "postgres");
        var statement =
            connection.prepareStatement(
                "SELECT claim_node FROM extsvc_invocation_state WHERE id = ?")) {
      statement.setObject(1, invocation);
      try (var rs = statement.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static Connection direct() throws SQLException {
    return postgres.getPostgresDatabase().getConnection();
  }

  private static String acmeSpec() {
    try {
      return Files.readString(Path.of("../examples/acme-mortgages.json"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
