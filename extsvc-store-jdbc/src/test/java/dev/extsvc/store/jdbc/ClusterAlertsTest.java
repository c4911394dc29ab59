package dev.extsvc.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.extsvc.runtime.Alert;
import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.AlertRow;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.testing.LoopbackService;
import dev.extsvc.runtime.testing.SettableClock;
import dev.extsvc.spec.RequestParts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts on a cluster: two runtimes on one PostgreSQL database (each with a pool of its own, as two
 * processes), on one test clock, post each alert once when it fires and once when it resolves; a
 * runtime started again on the same database does not fire it again; a post the webhook refused is
 * tried again later, by any node, without a second fire.
 */
class ClusterAlertsTest {
  static final String ACME = "Acme Mortgages";
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedPostgres postgres;

  private final LoopbackService bank = new LoopbackService();
  private final SettableClock clock = new SettableClock();
  private final Hook hook = new Hook();
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
    String schema = "alerts_" + SCHEMAS.incrementAndGet();
    try (var connection = postgres.getPostgresDatabase().getConnection();
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
    hook.close();
    bank.close();
  }

  @Test
  void twoNodesPostAnAlertOnceWhenItFiresAndOnceWhenItResolves() throws Exception {
    ExternalServices a = node("node-a");
    a.register(acmeSpec(), null);
    ExternalServices b = node("node-b");
    InvocationResult r = submit(a, Duration.ofMinutes(15));
    clock.advance(Duration.ofMinutes(6)); // 9 min left: within the 10 min of the rule

    checkAtOnce(a, b);
    checkAtOnce(b, a);

    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 1);
    assertThat(a.alerts())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo(Alert.Rule.NEAR_DEADLINE);
              assertThat(x.invocations()).containsExactly(r.invocationId());
            });
    assertThat(b.alerts()).as("the same alert on both nodes").isEqualTo(a.alerts());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> b.alerts().getFirst().delivery().equals("sent (HTTP 200)"));

    assertThat(a.cancel(r.invocationId(), "not needed")).isTrue();
    checkAtOnce(a, b);
    checkAtOnce(b, a);

    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 2);
    Thread.sleep(300);
    assertThat(hook.posts).extracting(Post::state).containsExactly("firing", "resolved");
    assertThat(hook.posts)
        .extracting(Post::alertId)
        .containsOnly(a.resolvedAlerts().getFirst().id());
    assertThat(a.alerts()).isEmpty();
    assertThat(b.alerts()).isEmpty();
    assertThat(b.resolvedAlerts())
        .extracting(Alert::id)
        .isEqualTo(a.resolvedAlerts().stream().map(Alert::id).toList());
  }

  @Test
  void aNodeStartedAgainOnTheSameDatabaseDoesNotFireAnAlertAgain() {
    ExternalServices a = node("node-a");
    a.register(acmeSpec(), null);
    submit(a, Duration.ofMinutes(5));
    a.checkAlerts();
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 1);
    String fired = a.alerts().getFirst().id();
    a.close();

    ExternalServices again = node("node-a");
    again.checkAlerts();
    clock.advance(Duration.ofMinutes(1));
    again.checkAlerts();

    assertThat(again.alerts()).extracting(Alert::id).containsExactly(fired);
    assertThat(again.alerts().getFirst().delivery()).isEqualTo("sent (HTTP 200)");
    assertThat(hook.posts).as("not posted again").hasSize(1);
  }

  @Test
  void aRefusedPostIsTriedAgainByAnotherNodeWithoutASecondFireAndTheAlertSaysWhy() {
    hook.status = 503;
    ExternalServices a = node("node-a");
    a.register(acmeSpec(), null);
    ExternalServices b = node("node-b");
    submit(a, Duration.ofMinutes(8));

    a.checkAlerts();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> b.alerts().getFirst().delivery().startsWith("not sent"));
    assertThat(b.alerts().getFirst().delivery())
        .startsWith("not sent: HTTP 503 after 3 attempts to the webhook; trying again at ");
    assertThat(hook.posts).hasSize(3);
    AlertRow stored = b.store().firingAlerts().getFirst();
    assertThat(stored.delivery().attempts()).isEqualTo(3);
    assertThat(stored.delivery().lastError()).isEqualTo("HTTP 503");
    assertThat(stored.firedBy()).isEqualTo("node-a");

    hook.status = 200;
    b.checkAlerts();
    assertThat(hook.posts).as("not due yet").hasSize(3);
    clock.advance(Duration.ofMinutes(5));
    b.checkAlerts();
    a.checkAlerts();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> a.alerts().getFirst().delivery().equals("sent (HTTP 200)"));
    assertThat(hook.posts).hasSize(4);
    assertThat(hook.posts).extracting(Post::state).containsOnly("firing");
    assertThat(hook.posts).extracting(Post::messageId).containsOnly(hook.posts.get(0).messageId());
    assertThat(a.store().firingAlerts().getFirst().delivery().attempts()).isEqualTo(4);
    assertThat(a.alerts()).hasSize(1);
  }

  /** Both nodes check at the same moment, as their schedules may. */
  private static void checkAtOnce(ExternalServices one, ExternalServices other)
      throws InterruptedException {
    Thread t = Thread.ofVirtual().start(one::checkAlerts);
    other.checkAlerts();
    t.join();
  }

  private ExternalServices node(String id) {
    JdbcStore real = JdbcStore.postgres(url, "postgres", "postgres");
    ExternalServices services =
        ExternalServices.builder()
            .store(onTestClock(real))
            .clock(clock)
            .publicBaseUrl("https://hooks.example.test")
            .nodeId(id)
            .allowPrivateNetworks(true)
            .endpoint(ACME, bank.url())
            .alerts(
                AlertRules.NONE
                    .withNearDeadline(Duration.ofMinutes(10))
                    .withEvery(Duration.ofHours(1))
                    .withWebhook(new AlertRules.Webhook(hook.url(), null)))
            .build();
    cleanup.add(real);
    cleanup.add(services);
    return services;
  }

  /** The store as it is, but without its shared clock: the nodes read the test's. */
  private static Store onTestClock(Store real) {
    return (Store)
        Proxy.newProxyInstance(
            Store.class.getClassLoader(),
            new Class<?>[] {Store.class},
            (proxy, method, args) -> {
              if (method.getName().equals("sharedClock")) {
                return false;
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static InvocationResult submit(ExternalServices node, Duration callbackTimeout) {
    try {
      return node.invoke(
          ACME,
          "SubmitApplication",
          new RequestParts().body(JSON.readTree("{\"applicant\":{\"name\":\"Ada\"}}")),
          null,
          callbackTimeout);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String acmeSpec() {
    try {
      return Files.readString(Path.of("../examples/acme-mortgages.json"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One post the hook received. */
  record Post(JsonNode body, String messageId) {
    String state() {
      return body.path("extsvc").path("state").asText();
    }

    String alertId() {
      return body.path("extsvc").path("id").asText();
    }
  }

  /** A webhook receiver on loopback that records each post and answers {@link #status}. */
  static final class Hook implements AutoCloseable {
    final List<Post> posts = new CopyOnWriteArrayList<>();
    volatile int status = 200;
    private final HttpServer server;

    Hook() {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      server.createContext(
          "/hook",
          exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            posts.add(
                new Post(JSON.readTree(body), exchange.getRequestHeaders().getFirst("webhook-id")));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
          });
      server.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
