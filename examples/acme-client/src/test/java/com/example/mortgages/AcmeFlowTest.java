package com.example.mortgages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.extsvc.mock.CallbackPayloads;
import dev.extsvc.mock.Delivery;
import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Acme flow through the generated client, all on loopback: the runtime on SQLite behind its
 * server, and the mock bank, which answers SubmitApplication and then calls back with the key each
 * test chooses.
 */
class AcmeFlowTest {
  private static final Path SPEC = Path.of("../acme-mortgages.json");

  @TempDir Path dir;
  private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
  private MockService bank;
  private JdbcStore store;
  private ExternalServices services;
  private ExtsvcServer server;

  /** Starts everything with a bank that always calls back with {@code key}. */
  private MortgageDesk desk(String key) throws IOException {
    String spec = Files.readString(SPEC);
    bank =
        MockService.builder(Registrar.defaults().register(spec, null).service())
            .keyRule(KeyRule.fixed(key))
            .callbackDelay(Duration.ofMillis(20))
            .retries(0)
            .payloads(new BankDecisions())
            .outcomeListener(deliveries::add)
            .build()
            .start();
    store = JdbcStore.sqlite(dir.resolve("extsvc.db"));
    int port = freePort();
    services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("http://127.0.0.1:" + port) // where the bank sends its callbacks
            .endpoint("Acme Mortgages", bank.baseUrl())
            .allowPrivateNetworks(true) // the bank is on loopback
            .handlerType(OutcomeHandler.class)
            .handlerType(ApprovalsOnly.class)
            .build();
    assertThat(services.register(spec, null).ok()).isTrue();
    server = ExtsvcServer.builder(services).port(port).build().start();
    Decisions.RECEIVED.clear();
    return new MortgageDesk(services);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (services != null) {
      services.close();
    }
    if (store != null) {
      store.close();
    }
    if (bank != null) {
      bank.close();
    }
  }

  @Test
  void anApprovalReachesTheHandlerTypedAndCompletesTheInvocation() throws Exception {
    UUID invocation =
        desk("applicationOutcomeApproved").submit("Ann", "1 Main St", new OutcomeHandler("Ann"));

    assertThat(delivered().status()).isEqualTo(200);
    assertThat(Decisions.RECEIVED.poll(5, TimeUnit.SECONDS))
        .isEqualTo("Ann approved A-1001 250000");
    assertThat(status(invocation)).isEqualTo("COMPLETED");
  }

  @Test
  void aRejectionReachesTheHandler() throws Exception {
    UUID invocation =
        desk("applicationOutcomeRejected").submit("Bob", "2 Side St", new OutcomeHandler("Bob"));

    assertThat(delivered().status()).isEqualTo(200);
    assertThat(Decisions.RECEIVED.poll(5, TimeUnit.SECONDS)).isEqualTo("Bob rejected A-1001");
    assertThat(status(invocation)).isEqualTo("COMPLETED");
  }

  @Test
  void theErrorCallbackCarriesItsHeaderAndBody() throws Exception {
    UUID invocation = desk("applicationError").submit("Cy", "3 High St", new OutcomeHandler("Cy"));

    assertThat(delivered().status()).isEqualTo(200);
    assertThat(Decisions.RECEIVED.poll(5, TimeUnit.SECONDS))
        .isEqualTo("Cy error A-1001: income not verified");
    assertThat(status(invocation)).isEqualTo("COMPLETED");
  }

  @Test
  void aCallbackTheHandlerDoesNotOverrideIsAnswered404AndLeavesTheInvocationPending()
      throws Exception {
    UUID invocation =
        desk("applicationOutcomeRejected").submit("Dee", "4 Low St", new ApprovalsOnly("Dee"));

    Delivery rejected = delivered();
    assertThat(rejected.key()).isEqualTo("applicationOutcomeRejected");
    assertThat(rejected.status()).isEqualTo(404);
    assertThat(rejected.answer()).contains("Callback not handled: applicationOutcomeRejected");
    assertThat(Decisions.RECEIVED).isEmpty();
    assertThat(status(invocation)).isEqualTo("PENDING");
  }

  private Delivery delivered() throws InterruptedException {
    Delivery d = deliveries.poll(20, TimeUnit.SECONDS);
    assertThat(d).as("the bank's callback").isNotNull();
    return d;
  }

  private String status(UUID invocation) {
    return services.invocation(invocation).orElseThrow().status().toString();
  }

  /**
   * What the mock bank decides: the same application number every time, an amount when it approves.
   */
  private static final class BankDecisions implements CallbackPayloads {
    @Override
    public JsonNode payload(String key, CallbackDefinition definition, RequestParts request) {
      var body = JsonNodeFactory.instance.objectNode().put("applicationNumber", "A-1001");
      return switch (key) {
        case "applicationOutcomeApproved" ->
            body.put("status", "approved").put("approvedAmount", 250000);
        case "applicationOutcomeRejected" -> body.put("status", "rejected");
        default -> body.put("errorMessage", "income not verified");
      };
    }

    @Override
    public Map<String, String> headers(
        String key, CallbackDefinition definition, RequestParts request) {
      return Map.of("applicationNumber", "A-1001");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
