package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.Registrar;
import dev.extsvc.store.jdbc.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `extsvc invoke` and `extsvc status` against a running server whose external service is the mock
 * bank.
 */
class InvokeAndStatusTest {
  @TempDir Path dir;
  MockService bank;
  JdbcStore store;
  ExternalServices services;
  ExtsvcServer server;

  @BeforeEach
  void start() throws Exception {
    String spec = Files.readString(Path.of("../examples/acme-mortgages.json"));
    bank =
        MockService.builder(Registrar.defaults().register(spec, null).service())
            .keyRule(KeyRule.fixed("applicationOutcomeRejected"))
            .callbackDelay(Duration.ofMillis(100))
            .build()
            .start();
    store = JdbcStore.sqlite(dir.resolve("extsvc.db"));
    int port = Ports.free();
    services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("http://127.0.0.1:" + port)
            .endpoint("Acme Mortgages", bank.baseUrl())
            .allowPrivateNetworks(true)
            .build();
    services.register(spec, null);
    server = ExtsvcServer.builder(services).port(port).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
    services.close();
    store.close();
    bank.close();
  }

  @Test
  void invokePrintsTheAnswerAndTheIdAndStatusShowsTheCallback() {
    CliTest.Run invoked =
        CliTest.run(
            "invoke",
            "--server",
            server.localUrl(),
            "Acme Mortgages",
            "SubmitApplication",
            "--body",
            "{\"applicant\":{\"name\":\"Hana\"}}",
            "--callback-timeout",
            "PT1H");

    assertThat(invoked.code()).as(invoked.err()).isZero();
    assertThat(invoked.out()).contains("HTTP 201");
    Matcher m = Pattern.compile("invocation ([0-9a-f-]{36})").matcher(invoked.out());
    assertThat(m.find()).isTrue();
    UUID id = UUID.fromString(m.group(1));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> services.invocation(id).orElseThrow().status() == InvocationStatus.COMPLETED);

    CliTest.Run status = CliTest.run("status", "--server", server.localUrl(), id.toString());

    assertThat(status.code()).isZero();
    assertThat(status.out())
        .contains("COMPLETED")
        .contains("callback applicationOutcomeRejected POST")
        .contains("CALLBACK_RECORDED");
  }

  @Test
  void aCallbackTimeoutIsWrittenAsInExtsvcYaml() {
    CliTest.Run invoked =
        CliTest.run(
            "invoke",
            "--server",
            server.localUrl(),
            "Acme Mortgages",
            "SubmitApplication",
            "--body",
            "{\"applicant\":{\"name\":\"Ida\"}}",
            "--callback-timeout",
            "4h");

    assertThat(invoked.code()).as(invoked.err()).isZero();
    Matcher m = Pattern.compile("invocation ([0-9a-f-]{36})").matcher(invoked.out());
    assertThat(m.find()).isTrue();
    var row = services.invocation(UUID.fromString(m.group(1))).orElseThrow();
    assertThat(Duration.between(row.submitTime(), row.deadline()))
        .isBetween(Duration.ofHours(4).minusSeconds(1), Duration.ofHours(4).plusSeconds(1));
  }

  @Test
  void paramsArePlacedWhereTheOperationDeclaresThem() {
    CliTest.Run invoked =
        CliTest.run(
            "invoke",
            "--server",
            server.localUrl(),
            "Acme Mortgages",
            "SubmitApplication",
            "--body",
            "{}",
            "--param",
            "extra=1");

    assertThat(invoked.code()).isZero();
    assertThat(bank.requests())
        .singleElement()
        .satisfies(r -> assertThat(r.query()).containsKey("extra"));
  }

  @Test
  void aServerThatIsNotThereIsAClearError() {
    CliTest.Run r =
        CliTest.run("status", "--server", "http://127.0.0.1:1", UUID.randomUUID().toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("cannot reach the server");
  }

  @Test
  void anUnknownInvocationIsAClearError() {
    CliTest.Run r =
        CliTest.run("status", "--server", server.localUrl(), UUID.randomUUID().toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("No invocation");
  }

  @Test
  void aBodyBreakingTheSchemaIsRefusedWithPointersAndExitCode2AndNothingIsSent() {
    CliTest.Run r =
        CliTest.run(
            "invoke",
            "--server",
            server.localUrl(),
            "Acme Mortgages",
            "SubmitApplication",
            "--body",
            "{\"applicant\":{\"address\":7}}");

    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains("the request breaks the declaration of Acme Mortgages.SubmitApplication")
        .contains("--no-validate")
        .contains("  /body/applicant: ")
        .contains("  /body/applicant/address: ")
        .doesNotContain("Exception");
    assertThat(r.out()).doesNotContain("invocation");
    assertThat(bank.requests()).isEmpty();
  }

  @Test
  void noValidateSendsTheRequestAnyway() {
    CliTest.Run r =
        CliTest.run(
            "invoke",
            "--server",
            server.localUrl(),
            "Acme Mortgages",
            "SubmitApplication",
            "--no-validate",
            "--body",
            "{\"applicant\":{\"address\":7}}");

    assertThat(r.out()).containsPattern("invocation [0-9a-f-]{36}");
    assertThat(bank.requests()).hasSize(1);
    assertThat(bank.requests().get(0).body()).contains("\"address\":7");
  }

  @Test
  void invokeHelpListsNoValidateAndTheExitCodeOfARefusedRequest() {
    CliTest.Run r = CliTest.run("invoke", "--help");

    assertThat(r.out().replaceAll("\\s+", " "))
        .contains("--no-validate")
        .contains(
            "2 usage: an unknown option, a missing or malformed argument, a request its"
                + " operation's schema refuses");
  }
}
