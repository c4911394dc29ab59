package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.helidon.logging.common.spi.LoggingProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Issue 21, "the first hour of a new user": every command helpful, nothing noisy, nothing false.
 */
class FirstHourTest {
  static final String ACME = "../examples/acme-mortgages.json";

  @TempDir Path dir;

  // 1. A port in use

  @ParameterizedTest
  @ValueSource(strings = {"serve", "mock", "demo"})
  void aPortInUseIsOneLineWithTheFixAndExit1(String command) throws IOException {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = busy.getLocalPort();
      String[] args =
          switch (command) {
            case "serve" ->
                new String[] {
                  "serve", "--spec", ACME, "--port", "" + port, "--data", dir.toString()
                };
            case "mock" -> new String[] {"mock", ACME, "--port", "" + port};
            default -> new String[] {"demo", "--port", "" + port, "--data", dir.toString()};
          };

      CliTest.Run r = CliTest.run(args);

      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err())
          .isEqualTo("error: port " + port + " is in use: choose another with --port\n");
      assertThat(r.out())
          .doesNotContain("serving on")
          .doesNotContain("listening on")
          .doesNotContain("Exception");
      assertThat(dir.resolve("extsvc.db")).doesNotExist(); // refused before anything was opened
    }
  }

  @Test
  void theServerAndTheMockRefuseToStartWithoutAListenerInsteadOfCarryingOn() throws Exception {
    var acme = dev.extsvc.spec.Registrar.defaults().register(Path.of(ACME), null).service();
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        var store = dev.extsvc.store.jdbc.JdbcStore.sqlite(dir.resolve("x.db"));
        var services =
            dev.extsvc.runtime.ExternalServices.builder()
                .store(store)
                .publicBaseUrl("http://127.0.0.1:1")
                .build()) {
      int port = busy.getLocalPort();

      assertThatThrownBy(
              () -> dev.extsvc.server.ExtsvcServer.builder(services).port(port).build().start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("cannot listen on 127.0.0.1:" + port + " (is the port in use?)");
      assertThatThrownBy(() -> dev.extsvc.mock.MockService.builder(acme).port(port).build().start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the mock cannot listen on 127.0.0.1:" + port + " (is the port in use?)");
    }
  }

  // 2. Help on every command, exit codes in the usage

  @ParameterizedTest
  @ValueSource(strings = {"check", "generate", "serve", "invoke", "status", "mock", "demo"})
  void everyCommandAnswersHelpWithItsUsageAndTheExitCodes(String command) {
    CliTest.Run r = CliTest.run(command, "--help");

    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .startsWith("Usage: extsvc " + command)
        .doesNotContain("Missing required")
        .doesNotContain("Unknown option")
        .contains("-h, --help")
        .contains("Exit codes")
        .contains("2   usage: an unknown option");
  }

  @Test
  void serveHelpShowsTheCredentialFormsAsTyped() {
    CliTest.Run r = CliTest.run("serve", "--help");

    assertThat(r.out())
        .contains("--credential 'acme=bearer:${env:ACME_TOKEN}'")
        .contains("--service-credential 'Acme Mortgages=acme'")
        .contains("api-key:header|query|cookie:NAME:SECRET")
        .doesNotContain("null");
  }

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    CliTest.Run r = CliTest.run("help");

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("Commands:")
        .contains("serve")
        .contains("demo")
        .contains("Exit codes (every command):")
        .contains("0   success")
        .contains("1   failure")
        .contains("2   usage");
  }

  // 3. Nothing noisy

  @Test
  void helidonFindsALoggingProviderSoItPrintsNoNoticeAboutIt() {
    assertThat(ServiceLoader.load(LoggingProvider.class).stream().map(ServiceLoader.Provider::type))
        .containsExactly(dev.extsvc.server.HelidonLogging.class);
  }

  @Test
  void theCliLogConfigurationSilencesUnknownKeywordWarningsAndKeepsExtsvcAtWarn() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());

    assertThat(
            context
                .getLogger("com.networknt.schema.keyword.UnknownKeywordFactory")
                .getEffectiveLevel())
        .isEqualTo(Level.ERROR);
    assertThat(context.getLogger("com.networknt.schema.Other").getEffectiveLevel())
        .isEqualTo(Level.WARN);
    assertThat(context.getLogger("dev.extsvc.runtime.ExternalServices").getEffectiveLevel())
        .isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.helidon.webserver.LoomServer").getEffectiveLevel())
        .isEqualTo(Level.WARN);
    var appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    assertThat(appender.getCopyOfAttachedFiltersList())
        .hasOnlyElementsOfType(CredentialWarningFilter.class);
  }

  @Test
  void theRuntimesPerOperationCredentialWarningIsLeftToServesOneLine() {
    var logger = new LoggerContext().getLogger("dev.extsvc.runtime.ExternalServices");
    var perOperation =
        new ch.qos.logback.classic.spi.LoggingEvent(
            "x",
            logger,
            Level.WARN,
            "Operation {} of {} needs {}, but the service has no matching credential",
            null,
            new Object[] {"one", "Vault", "http bearer"});
    var other =
        new ch.qos.logback.classic.spi.LoggingEvent(
            "x",
            logger,
            Level.WARN,
            "Registered service {} ({} operations)",
            null,
            new Object[] {"Vault", 2});

    assertThat(new CredentialWarningFilter().decide(perOperation))
        .isEqualTo(ch.qos.logback.core.spi.FilterReply.DENY);
    assertThat(new CredentialWarningFilter().decide(other))
        .isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
  }

  @Test
  void serveStartsWithOneLineSayingAddressStoreAndServicesAndVerboseRaisesTheLog()
      throws Exception {
    var extsvc = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.extsvc");
    Level before = extsvc.getLevel();
    int port = Ports.free();
    try (Background serve =
        Background.start(
            "serve", "--spec", ACME, "--port", "" + port, "--data", dir.toString(), "--verbose")) {
      serve.awaitOut("serving on");

      assertThat(serve.out())
          .isEqualTo(
              "extsvc serving on http://127.0.0.1:"
                  + port
                  + " (callbacks at http://127.0.0.1:"
                  + port
                  + "/callbacks/...), store "
                  + dir.resolve("extsvc.db").toAbsolutePath()
                  + ", services: Acme Mortgages\n");
      assertThat(extsvc.getLevel()).isEqualTo(Level.DEBUG);
      assertThat(serve.stop()).isZero();
      assertThat(serve.err()).isEmpty();
    } finally {
      extsvc.setLevel(before);
    }
  }

  // 5. The demo's last line

  @Test
  void theDemoEndsWithAHintThatWorksWhenItStops() {
    CliTest.Run r = CliTest.run("demo", "--delay", "200ms", "--data", dir.toString());

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out().strip().lines().reduce((a, b) -> b).orElseThrow())
        .isEqualTo(
            "The server has stopped; ./extsvc demo --keep-running keeps it running to look around.");
    assertThat(r.out())
        .doesNotContain("curl")
        .doesNotContain("+-"); // no negative times in the debug log either
  }

  @Test
  void theDemoWithKeepRunningKeepsServingTheCurlItSuggestsUntilStopped() throws Exception {
    int port = Ports.free();
    try (Background demo =
        Background.start(
            "demo",
            "--delay",
            "200ms",
            "--data",
            dir.toString(),
            "--port",
            "" + port,
            "--keep-running")) {
      demo.awaitOut("until Ctrl-C");
      assertThat(demo.out()).contains("try curl http://127.0.0.1:" + port + "/api/invocations");

      HttpResponse<String> listed =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/api/invocations"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(listed.statusCode()).isEqualTo(200);
      assertThat(listed.body()).contains("SubmitApplication");
      assertThat(demo.stop()).isZero();
    }
  }

  // 6. Security: check, one line at start, credentials on the command line

  static final String SECURED =
      """
      openapi: 3.0.3
      info: {title: Vault, version: '1'}
      components:
        securitySchemes:
          token: {type: http, scheme: bearer}
          key: {type: apiKey, in: header, name: X-API-Key}
      security: [{token: []}]
      paths:
        /a:
          post:
            operationId: one
            responses: {'200': {description: ok}}
        /b:
          post:
            operationId: two
            security: [{key: []}]
            responses: {'200': {description: ok}}
        /c:
          get:
            operationId: open
            security: []
            responses: {'200': {description: ok}}
      """;

  @Test
  void checkShowsPerOperationTheCredentialKindsItsSecurityNeeds() throws Exception {
    Path spec = Files.writeString(dir.resolve("vault.yaml"), SECURED);

    CliTest.Run r = CliTest.run("check", spec.toString());

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("Security: the credential kinds each operation needs")
        .contains("  one: bearer or oauth2ClientCredentials (http bearer 'token')\n")
        .contains("  two: apiKey in header X-API-Key (apiKey in header X-API-Key 'key')\n")
        .doesNotContain("  open:")
        .contains("(--config extsvc.yaml says whether its credentials cover them)");
  }

  @Test
  void checkWithAConfigurationSaysWhetherItsCredentialsCoverEachOperation() throws Exception {
    Path spec = Files.writeString(dir.resolve("vault.yaml"), SECURED);
    Path config =
        Files.writeString(
            dir.resolve("extsvc.yaml"),
            """
        credentials:
          vault-token: {type: bearer, token: "${env:EXTSVC_TEST_VAULT_TOKEN}"}
        services:
          Vault: {endpoint: "https://vault.example", credential: vault-token}
        """);

    CliTest.Run r = CliTest.run("check", spec.toString(), "--config", config.toString());
    CliTest.Run json =
        CliTest.run("check", spec.toString(), "--config", config.toString(), "--format", "json");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "  one: bearer or oauth2ClientCredentials (http bearer 'token')  covered by [vault-token]")
        .contains(
            "  two: apiKey in header X-API-Key (apiKey in header X-API-Key 'key')  NOT covered: its credentials"
                + " [vault-token (bearer)] do not match");
    assertThat(json.out())
        .contains("\"credentialCovered\" : true")
        .contains("\"credentialCovered\" : false");
  }

  @Test
  void serveWarnsOnceInOneShortLinePerServiceWithoutACredential() throws Exception {
    Path spec = Files.writeString(dir.resolve("vault.yaml"), SECURED);
    try (Background serve =
        Background.start(
            "serve",
            "--spec",
            spec.toString(),
            "--port",
            "" + Ports.free(),
            "--data",
            dir.toString())) {
      serve.awaitOut("serving on");

      assertThat(serve.out().lines().filter(l -> l.contains("credential")))
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l)
                    .startsWith("warning: Vault: 2 of 3 operations need a credential")
                    .hasSizeLessThan(200);
              });
      assertThat(serve.stop()).isZero();
    }
  }

  @Test
  void serveTakesCredentialsOnTheCommandLineSoNoConfigFileIsNeeded() throws Exception {
    Path spec = Files.writeString(dir.resolve("vault.yaml"), SECURED);
    try (Background serve =
        Background.start(
            "serve",
            "--spec",
            spec.toString(),
            "--port",
            "" + Ports.free(),
            "--data",
            dir.toString(),
            "--credential",
            "vault-token=bearer:${env:HOME}",
            "--credential",
            "vault-key=api-key:header:X-API-Key:env:HOME",
            "--service-credential",
            "Vault=vault-token",
            "--service-credential",
            "Vault=vault-key")) {
      serve.awaitOut("serving on");

      assertThat(serve.out()).doesNotContain("warning").doesNotContain(System.getenv("HOME"));
      assertThat(serve.stop()).isZero();
    }
  }

  @Test
  void aMalformedCredentialIsRefusedWithTheFormsAndNeverEchoesASecret() {
    CliTest.Run r =
        CliTest.run(
            "serve",
            "--spec",
            ACME,
            "--port",
            "" + Ports.free(),
            "--data",
            dir.toString(),
            "--credential",
            "acme=bearer:s3cr3t-value");
    CliTest.Run kind =
        CliTest.run(
            "serve",
            "--spec",
            ACME,
            "--port",
            "" + Ports.free(),
            "--data",
            dir.toString(),
            "--credential",
            "acme=digest:${env:HOME}");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("--credential acme: a secret is written as ${env:NAME} or ${file:/path}")
        .doesNotContain("s3cr3t");
    assertThat(kind.err())
        .contains(
            "--credential acme: unknown kind 'digest' (forms: bearer:SECRET, basic:USER:SECRET");
  }

  // 7 and 8: invoke's options

  @Test
  void aCallbackTimeoutInAnotherFormThanTheFilesIsAUsageErrorNamingTheForms() {
    CliTest.Run r =
        CliTest.run(
            "invoke", "--server", "http://127.0.0.1:1", "S", "op", "--callback-timeout", "4 hours");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("expected a duration such as 30s, 5m, 4h, 2d or PT30S, found '4 hours'");
  }

  @Test
  void aBodyThatIsNotJsonSaysWhereWithoutTheParsersSourceDetails() {
    CliTest.Run r =
        CliTest.run("invoke", "--server", "http://127.0.0.1:1", "S", "op", "--body", "{");
    CliTest.Run second =
        CliTest.run(
            "invoke",
            "--server",
            "http://127.0.0.1:1",
            "S",
            "op",
            "--body",
            "{\"a\":1,\n \"b\": tru}");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("--body is not valid JSON at line 1, column 2: ")
        .doesNotContain("Source")
        .doesNotContain("REDACTED")
        .doesNotContain("StreamReadFeature")
        .doesNotContain("Exception");
    assertThat(second.err())
        .startsWith("--body is not valid JSON at line 2, column ")
        .contains("tru")
        .doesNotContain("Source");
  }
}
