package dev.extsvc.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.extsvc.mock.Delivery;
import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.ServiceDefinition;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Acme flow through the generated client: the runtime on SQLite behind its server, the mock
 * bank calling back, and a handler that overrides only applicationOutcomeApproved.
 */
class EndToEndTest {
  private static final String HANDLER =
      """
      package e2e.acme;

      import dev.extsvc.codegen.Received;
      import java.util.List;

      /** Handles approvals only; its applicant field is its stored state. */
      public class ApprovedOnly extends AcmeMortgages.SubmitApplication.Callback {
        String applicant;

        private ApprovedOnly() {}

        public ApprovedOnly(String applicant) {
          this.applicant = applicant;
        }

        @Override
        public void applicationOutcomeApproved(
            List<AcmeMortgages.SubmitApplication.ApplicationOutcomeApprovedCallback> callbacks) {
          for (var c : callbacks) {
            Received.EVENTS.add(applicant + " " + c.response().body().applicationNumber() + " "
                + c.response().body().status() + " " + c.response().body().approvedAmount() + " "
                + c.callbackStatus() + " " + c.request().body().applicant().name() + " "
                + c.invocationId());
          }
        }
      }
      """;

  private static final String CALLER =
      """
      package e2e.acme;

      import dev.extsvc.runtime.ExternalServices;
      import java.time.Duration;
      import java.util.Map;
      import java.util.function.Function;

      public class Caller implements Function<ExternalServices, Map<String, String>> {
        @Override
        public Map<String, String> apply(ExternalServices services) {
          AcmeMortgages.SubmitApplication.Response r = new AcmeMortgages(services).submitApplication(
              new AcmeMortgages.SubmitApplication.Request(
                  new SubmitApplicationRequestBody(new Contact("Ann", "1 Main St"), null)),
              new ApprovedOnly("Ann"), Duration.ofHours(1));
          return Map.of(
              "code", String.valueOf(r.responseCode()),
              "applicationNumber", String.valueOf(r.code201().applicationNumber()),
              "invocationId", r.invocationId().toString(),
              "approvedUrl", String.valueOf(r.request().callbackUrlForOutcomesApproved()),
              "errorUrl", String.valueOf(r.request().callbackUrlForErrorCases()));
        }
      }
      """;

  private static ServiceDefinition acme;
  private static ClassLoader generated;

  @TempDir Path dir;
  private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
  private ClassLoader previous;
  private JdbcStore store;
  private ExternalServices services;
  private ExtsvcServer server;
  private MockService bank;
  private Function<ExternalServices, Map<String, String>> caller;

  @BeforeAll
  static void generate() {
    acme = Fixtures.register(Fixtures.ACME);
    generated =
        InMemoryCompiler.compile(
            JavaClientGenerator.generate(acme, "e2e.acme"),
            Map.of("e2e.acme.ApprovedOnly", HANDLER, "e2e.acme.Caller", CALLER));
  }

  @BeforeEach
  @SuppressWarnings(
      "unchecked") // Caller is a Function<ExternalServices, Map<String, String>> by its source
  void start() throws Exception {
    // The runtime re-creates handlers by name through the context class loader; the server's
    // threads inherit it.
    previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(generated);
    bank =
        MockService.builder(acme)
            .callbackDelay(Duration.ofMillis(20))
            .keyRule(KeyRule.roundRobin())
            .retries(0)
            .payloads(
                (key, definition, request) ->
                    key.equals("applicationOutcomeApproved")
                        ? JsonNodeFactory.instance
                            .objectNode()
                            .put("applicationNumber", "A-1001")
                            .put("status", "approved")
                            .put("approvedAmount", 250000)
                        : JsonNodeFactory.instance
                            .objectNode()
                            .put("applicationNumber", "A-1001")
                            .put("errorMessage", "too risky"))
            .outcomeListener(deliveries::add)
            .build()
            .start();
    store = JdbcStore.sqlite(dir.resolve("extsvc.db"));
    int port = freePort();
    services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("http://127.0.0.1:" + port)
            .endpoint("Acme Mortgages", bank.baseUrl())
            .allowPrivateNetworks(true)
            .allowHandlerPackage("e2e.acme")
            .startSweeper(false)
            .build();
    assertThat(services.register(Fixtures.read(Fixtures.ACME), null).ok()).isTrue();
    server = ExtsvcServer.builder(services).port(port).build().start();
    caller =
        (Function<ExternalServices, Map<String, String>>)
            generated.loadClass("e2e.acme.Caller").getDeclaredConstructor().newInstance();
    Received.EVENTS.clear();
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
    Thread.currentThread().setContextClassLoader(previous);
  }

  @Test
  void approvedCallbackReachesTheTypedHandlerAndRejectedIsNotHandled() throws Exception {
    Map<String, String> first = caller.apply(services);
    assertThat(first.get("code")).isEqualTo("201");
    assertThat(first.get("applicationNumber")).isNotEqualTo("null");
    assertThat(first.get("approvedUrl")).startsWith(services.publicBaseUrl() + "/callbacks/");
    assertThat(first.get("errorUrl")).startsWith(services.publicBaseUrl() + "/callbacks/");

    Delivery approved = deliveries.poll(20, TimeUnit.SECONDS);
    assertThat(approved).isNotNull();
    assertThat(approved.key()).isEqualTo("applicationOutcomeApproved");
    assertThat(approved.status()).isEqualTo(200);
    assertThat(Received.EVENTS.poll(5, TimeUnit.SECONDS))
        .isEqualTo("Ann A-1001 approved 250000 PENDING Ann " + first.get("invocationId"));

    Map<String, String> second = caller.apply(services);
    Delivery rejected = deliveries.poll(20, TimeUnit.SECONDS);
    assertThat(rejected).isNotNull();
    assertThat(rejected.key()).isEqualTo("applicationOutcomeRejected");
    assertThat(rejected.status()).isEqualTo(404);
    assertThat(rejected.answer()).contains("Callback not handled: applicationOutcomeRejected");
    assertThat(Received.EVENTS).isEmpty();
    assertThat(
            services
                .invocation(java.util.UUID.fromString(second.get("invocationId")))
                .orElseThrow()
                .status())
        .hasToString("PENDING");
  }

  @Test
  void aNon2xxAnswerRaisesTheOperationsResponseException() {
    services.close();
    services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("http://127.0.0.1:1")
            .endpoint("Acme Mortgages", bank.baseUrl() + "/nowhere")
            .allowPrivateNetworks(true)
            .startSweeper(false)
            .build();
    assertThatThrownBy(() -> caller.apply(services))
        .isInstanceOf(ExtsvcException.class)
        .satisfies(
            e ->
                assertThat(e.getClass().getName())
                    .isEqualTo("e2e.acme.AcmeMortgages$SubmitApplication$ResponseException"))
        .hasMessageContaining("SubmitApplication answered 404");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
