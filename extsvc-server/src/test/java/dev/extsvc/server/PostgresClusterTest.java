package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import dev.extsvc.runtime.testing.LoopbackService;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two runtimes on one PostgreSQL database, as two nodes: what one registers or removes reaches the
 * other by {@code LISTEN/NOTIFY} within a second (the version check is set to an hour, so only the
 * notification can do it), and a callback for a service registered on one after the other started
 * is handled on the other.
 */
class PostgresClusterTest {
  static final String ACME = "Acme Mortgages";
  static final String APPROVED = "applicationOutcomeApproved";
  static final String APPROVED_BODY =
      "{\"applicationNumber\":\"A-1001\",\"status\":\"approved\",\"approvedAmount\":350000}";
  private static EmbeddedPostgres postgres;
  private static int schemas;

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final LoopbackService bank = new LoopbackService();
  private String url;

  /** A handler stored by node A and re-created by node B; what it saw, in a static sink. */
  public static final class Approvals implements CallbackHandler {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();
    public String applicant = "";

    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {
      SEEN.add(applicant + ":" + key);
    }
  }

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : cleanup.reversed()) {
      c.close();
    }
    bank.close();
    Approvals.SEEN.clear();
  }

  ExternalServices node(Consumer<ExternalServices.Builder> configure) throws SQLException {
    if (url == null) {
      String schema = "cluster_" + ++schemas;
      try (var c = postgres.getPostgresDatabase().getConnection();
          var s = c.createStatement()) {
        s.execute("CREATE SCHEMA " + schema);
      }
      url =
          "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres?currentSchema=" + schema;
    }
    JdbcStore store = JdbcStore.postgres(url, "postgres", "postgres");
    cleanup.add(store);
    ExternalServices.Builder b =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("https://hooks.example.test")
            .endpoint(ACME, bank.url())
            .allowPrivateNetworks(true)
            .allowHandlerType(Approvals.class.getName())
            .registryCheckInterval(Duration.ofHours(1));
    configure.accept(b);
    ExternalServices services = b.build();
    cleanup.add(services);
    return services;
  }

  static String acme() throws IOException {
    return Files.readString(Path.of("../examples/acme-mortgages.json"));
  }

  @Test
  void aServiceRegisteredOrRemovedOnOneNodeIsKnownOnTheOtherWithinASecond() throws Exception {
    ExternalServices a = node(b -> {});
    ExternalServices b = node(n -> {});
    await().atMost(Duration.ofSeconds(5)).until(b::ready);

    assertThat(a.register(acme(), null).ok()).isTrue();
    long registered = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> b.services().stream().anyMatch(s -> s.name().equals(ACME)));
    Duration toKnow = Duration.ofNanos(System.nanoTime() - registered);

    assertThat(a.unregister(ACME)).isTrue();
    await().atMost(Duration.ofSeconds(1)).until(() -> b.services().isEmpty());
    assertThat(toKnow).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void aCallbackForAServiceRegisteredOnOneNodeAfterTheOtherStartedIsHandledThereNot404()
      throws Exception {
    ExternalServices a = node(n -> {});
    // Without a version check or notifications (no background threads): only the receive path's
    // look-up in the store can know the service.
    ExternalServices b = node(n -> n.startSweeper(false));
    assertThat(a.register(acme(), null).ok()).isTrue();
    Approvals handler = new Approvals();
    handler.applicant = "Alice";
    InvocationResult r =
        a.invoke(
            ACME,
            "SubmitApplication",
            new RequestParts()
                .body(new ObjectMapper().readTree("{\"applicant\":{\"name\":\"Alice\"}}")),
            handler,
            Duration.ofHours(1));

    CallbackResponse answer =
        b.receiver().handle(Callbacks.post(r.callbackUrls().get(APPROVED), APPROVED_BODY));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(Approvals.SEEN).containsExactly("Alice:" + APPROVED);
    assertThat(a.invocation(r.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
  }
}
