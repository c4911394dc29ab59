package dev.extsvc.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.Acknowledgement;
import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.StorageQuotas;
import dev.extsvc.runtime.credentials.ApiKey;
import dev.extsvc.runtime.credentials.BearerToken;
import dev.extsvc.runtime.credentials.MutualTls;
import dev.extsvc.runtime.credentials.OAuth2ClientCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtsvcConfigTest {
  static final Map<String, String> ENV =
      Map.of("ACME_TOKEN", "t0ken-from-env", "ACME_HOST", "api.acme.example");

  @TempDir Path dir;

  ExtsvcConfig load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("extsvc.yaml");
    Files.writeString(file, yaml);
    return ExtsvcConfig.load(file, env);
  }

  ConfigException refused(String yaml) throws IOException {
    return refused(yaml, ENV);
  }

  ConfigException refused(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("extsvc.yaml");
    Files.writeString(file, yaml);
    try {
      ExtsvcConfig.load(file, env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("the file was accepted");
  }

  @Test
  void theDocumentedAcmeExampleLoads() throws IOException {
    String example = Files.readString(Path.of("../docs/configuration.md"));
    String yaml =
        example.substring(
            example.indexOf("```yaml") + 7, example.indexOf("```", example.indexOf("```yaml") + 7));

    ExtsvcConfig c = load(yaml, Map.of("ACME_TOKEN", "t0ken-from-env", "EXTSVC_DB_PASSWORD", "x"));

    ServiceConfig acme = c.services().get("Acme Mortgages");
    assertThat(acme.settings().endpoint()).isEqualTo("https://api.acme.example/v1");
    assertThat(acme.settings().credentials()).containsExactly("acme-token");
    assertThat(acme.settings().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(acme.settings().readTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(acme.settings().totalTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(acme.settings().defaultCallbackTimeout()).isEqualTo(Duration.ofHours(4));
    assertThat(acme.settings().maxCallbackTimeout()).isEqualTo(Duration.ofDays(2));
    assertThat(acme.settings().maxResponseBytes()).isEqualTo(1024 * 1024);
    assertThat(acme.acknowledgement()).isEqualTo(Acknowledgement.SYNC);
    BearerToken token = (BearerToken) c.credentials().get("acme-token");
    assertThat(token.token().value()).isEqualTo("t0ken-from-env");
    assertThat(token.toString()).doesNotContain("t0ken-from-env").contains("${env:ACME_TOKEN}");
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.server().slowClients())
        .isEqualTo(
            new ServerConfig.SlowClients(
                Duration.ofSeconds(10), 1024, Duration.ofSeconds(5), Duration.ofSeconds(60)));
  }

  @Test
  void slowClientDeadlinesLeftOutKeepTheServerDefaultsAndOneCanComeFromTheEnvironment()
      throws IOException {
    ExtsvcConfig c =
        load(
            """
        server:
          slowClients: {minBodyRate: 512}
        """,
            Map.of("EXTSVC_SERVER_SLOWCLIENTS_HEADERTIMEOUT", "3s"));

    assertThat(c.server().slowClients())
        .isEqualTo(new ServerConfig.SlowClients(Duration.ofSeconds(3), 512, null, null));
    assertThat(ExtsvcConfig.DEFAULTS.server().slowClients())
        .isEqualTo(ServerConfig.SlowClients.DEFAULTS);
  }

  @Test
  void theAdminTokenIsAReferenceAndTheRequestLimitsAreRead() throws IOException {
    ExtsvcConfig c =
        load(
            """
        server:
          adminToken: ${env:MY_ADMIN_TOKEN}
          maxRequestLine: 8192
        """,
            Map.of(
                "MY_ADMIN_TOKEN",
                "from-the-environment-123",
                "EXTSVC_SERVER_MAXHEADERSIZE",
                "32768"));

    assertThat(c.server().adminToken()).isNotNull();
    assertThat(c.server().adminToken().value()).isEqualTo("from-the-environment-123");
    assertThat(c.server().httpLimits()).isEqualTo(new ServerConfig.HttpLimits(8192, 32768));
    assertThat(ExtsvcConfig.DEFAULTS.server().adminToken()).isNull();
    assertThat(ExtsvcConfig.DEFAULTS.server().httpLimits())
        .isEqualTo(ServerConfig.HttpLimits.DEFAULTS);
  }

  @Test
  void anAdminTokenWrittenAsItsValueOrATinyLimitIsRefusedWithItsLine() {
    assertThatThrownBy(() -> load("server:\n  adminToken: s3cret-value-in-the-file\n", Map.of()))
        .hasMessageContaining(":2:")
        .hasMessageNotContaining("s3cret-value-in-the-file");
    assertThatThrownBy(() -> load("server:\n  maxHeaderSize: 10\n", Map.of()))
        .hasMessageContaining("maxHeaderSize must be at least 1024");
  }

  @Test
  void alertRulesAndTheirWebhookAreReadAndAbsentOnesKeepTheirDefaults() throws IOException {
    ExtsvcConfig c =
        load(
            """
        alerts:
          every: 15s
          nearDeadline: 10m
          slowWait: {multiple: 4, minSamples: 5}
          handlerFailureRate: {above: 0.25}
          nodeGone: off
          webhook:
            url: ${env:ALERTS_URL}
            secret: ${env:ALERTS_SECRET}
        """,
            Map.of(
                "ALERTS_URL", "https://hooks.example.test/services/T0/B0/abc",
                "ALERTS_SECRET", "whsec_MTIzNDU2Nzg5MDEyMzQ1Njc4OTA="));

    AlertRules a = c.alerts();
    assertThat(a.every()).isEqualTo(Duration.ofSeconds(15));
    assertThat(a.nearDeadline()).isEqualTo(Duration.ofMinutes(10));
    assertThat(a.slowWait()).isEqualTo(new AlertRules.SlowWait(4, 5, Duration.ofMinutes(1)));
    assertThat(a.handlerFailureRate())
        .isEqualTo(new AlertRules.FailureRate(0.25, Duration.ofMinutes(10), 10));
    assertThat(a.deadCallbacks()).isTrue();
    assertThat(a.storeErrors()).isTrue();
    assertThat(a.nodeGone()).isFalse();
    assertThat(a.webhook()).isNotNull();
    assertThat(a.webhook().url().getHost()).isEqualTo("hooks.example.test");
    assertThat(a.webhook().secret().value()).isEqualTo("whsec_MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=");
    assertThat(load("server: {}\n", Map.of()).alerts()).isEqualTo(AlertRules.DEFAULTS);
  }

  @Test
  void aWrongAlertValueIsReportedAtItsLineWithoutRepeatingTheWebhookUrl() {
    assertThatThrownBy(() -> load("alerts:\n  handlerFailureRate:\n    above: 2\n", Map.of()))
        .hasMessageContaining(":3:")
        .hasMessageContaining("alerts.handlerFailureRate.above");
    assertThatThrownBy(() -> load("alerts:\n  nearDeadline: soon\n", Map.of()))
        .hasMessageContaining(":2:")
        .hasMessageContaining("expected a duration");
    assertThatThrownBy(
            () -> load("alerts:\n  webhook:\n    url: ftp://hooks/secret-path\n", Map.of()))
        .hasMessageContaining(":3:")
        .hasMessageContaining("http or https")
        .hasMessageNotContaining("secret-path");
    assertThatThrownBy(() -> load("alerts:\n  pager: true\n", Map.of()))
        .hasMessageContaining("unknown key 'pager' in alerts");
  }

  @Test
  void theNodeIdAndTheAllowedHandlerTypesReachTheRuntimeBuilder() throws IOException {
    ExtsvcConfig c =
        load(
            """
        server:
          nodeId: node-a
        handlers:
          allowedTypes: [com.example.LoanHandler]
          allowedPackages: [com.example.handlers]
        """,
            Map.of());

    assertThat(c.server().nodeId()).isEqualTo("node-a");
    assertThat(c.handlers())
        .isEqualTo(
            new HandlersConfig(
                List.of("com.example.LoanHandler"), List.of("com.example.handlers")));
  }

  @Test
  void theClusterSettingsReachTheRuntimeBuilderAndBadOnesAreRefusedAtTheirLine()
      throws IOException {
    ExtsvcConfig c =
        load(
            """
        cluster:
          heartbeatInterval: 500ms
          nodeTimeout: 3s
          callbackLease: 1m
          recoveryGrace: 4s
        """,
            Map.of());
    ConfigException zero =
        refused(
            """
        cluster:
          heartbeatInterval: 1s
          nodeTimeout: 0s
        """);
    ConfigException tooShort =
        refused(
            """
        server:
          port: 8080
        cluster:
          heartbeatInterval: 2s
          nodeTimeout: 3s
        """);
    ConfigException misspelt =
        refused(
            """
        cluster:
          nodeTimout: 3s
        """);

    assertThat(c.cluster())
        .isEqualTo(
            new ClusterConfig(
                Duration.ofMillis(500),
                Duration.ofSeconds(3),
                Duration.ofMinutes(1),
                Duration.ofSeconds(4)));
    assertThat(ExtsvcConfig.DEFAULTS.cluster()).isEqualTo(ClusterConfig.DEFAULTS);
    assertThat(zero.line()).isEqualTo(3);
    assertThat(zero.getMessage()).contains("nodeTimeout must be positive");
    assertThat(tooShort.line()).as("the section's line").isEqualTo(3);
    assertThat(tooShort.getMessage())
        .contains("nodeTimeout (3s) must be at least twice heartbeatInterval (2s)");
    assertThat(misspelt.line()).isEqualTo(2);
    assertThat(misspelt.getMessage()).contains("nodeTimout");
  }

  @Test
  void aHandlerTypeOrNodeIdThatIsNoNameIsRefusedAtItsLine() throws IOException {
    ConfigException type =
        refused(
            """
        handlers:
          allowedTypes: ["com.example.*"]
        """);
    ConfigException node =
        refused(
            """
        server:
          nodeId: "node a"
        """);

    assertThat(type.getMessage()).contains("com.example.*");
    assertThat(node.line()).isEqualTo(2);
    assertThat(node.getMessage()).contains("nodeId");
  }

  @Test
  void everyCredentialKindIsRead() throws IOException {
    ExtsvcConfig c =
        load(
            """
        credentials:
          key: {type: apiKey, in: query, name: api_key, value: "${env:ACME_TOKEN}", headers: {X-Tenant: t1}}
          oauth:
            type: oauth2ClientCredentials
            tokenUrl: https://auth.example/token
            clientId: app
            clientSecret: ${file:client-secret.txt}
            scopes: [orders, payments]
          tls: {type: mutualTls, keyStore: client.p12, keyStorePassword: "${env:ACME_TOKEN}"}
          basic: {type: basic, username: alice, password: "${env:ACME_TOKEN}"}
        """,
            ENV);

    assertThat(c.credentials().get("key"))
        .isInstanceOfSatisfying(
            ApiKey.class,
            k -> {
              assertThat(k.in()).isEqualTo(ApiKey.In.QUERY);
              assertThat(k.headers().get("X-Tenant").value()).isEqualTo("t1");
            });
    assertThat(c.credentials().get("oauth"))
        .isInstanceOfSatisfying(
            OAuth2ClientCredentials.class,
            o -> {
              assertThat(o.scopes()).containsExactly("orders", "payments");
              assertThat(o.clientSecret().source())
                  .isEqualTo("${file:" + dir.toAbsolutePath().resolve("client-secret.txt") + "}");
            });
    assertThat(c.credentials().get("tls"))
        .isInstanceOfSatisfying(
            MutualTls.class,
            t -> assertThat(t.keyStore()).isEqualTo(dir.toAbsolutePath().resolve("client.p12")));
  }

  @Test
  void everyCredentialErrorNamesItsLineAndColumn() throws IOException {
    assertThat(
            refused(
                "credentials:\n  k:\n    type: apiKey\n    in: body\n    name: k\n    value: x\n"))
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(4);
              assertThat(e.column()).isEqualTo(5);
              assertThat(e.getMessage())
                  .contains("credentials.k.in must be header, query or cookie, not 'body'");
            });
    assertThat(
            refused(
                "credentials:\n  tls: {type: mutualTls, keyStorePassword: \"${env:ACME_TOKEN}\"}\n"))
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(2);
              assertThat(e.getMessage()).contains("credentials.tls.keyStore is required");
            });
    assertThat(
            refused(
                    "credentials:\n  tls: {type: mutualTls, keyStore: k.p12,"
                        + " keyStorePassword: \"${env:ACME_TOKEN}\", trustStore: t.p12}\n")
                .getMessage())
        .contains(":2:")
        .contains("credentials.tls: credential tls: a trust store needs its password");
    assertThat(
            refused(
                "credentials:\n  b: {type: bearer, token: \"${env:ACME_TOKEN}\", username: alice}\n"))
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(2);
              assertThat(e.getMessage())
                  .contains("unknown key 'username' in credentials.b; known: type, token, headers");
            });
    assertThat(
            refused(
                    "credentials:\n  o:\n    type: oauth2ClientCredentials\n    tokenUrl: \"https://a.example/ t\"\n"
                        + "    clientId: app\n    clientSecret: \"${env:ACME_TOKEN}\"\n")
                .getMessage())
        .contains(":4:")
        .contains("credentials.o.tokenUrl must be a URL");
  }

  @Test
  void aCredentialTypeIsMatchedIgnoringCaseAndSeparatorsAsInSpring() throws IOException {
    ExtsvcConfig c =
        load(
            """
        credentials:
          key: {type: api-key, in: header, name: X-Key, value: "${env:ACME_TOKEN}"}
          tls: {type: MUTUAL_TLS, keyStore: client.p12, keyStorePassword: "${env:ACME_TOKEN}"}
        """,
            ENV);

    assertThat(c.credentials().get("key")).isInstanceOf(ApiKey.class);
    assertThat(c.credentials().get("tls")).isInstanceOf(MutualTls.class);
  }

  @Test
  void theCallbackPathIsReadAndCheckedAsTheRuntimeChecksIt() throws IOException {
    assertThat(load("server:\n  callbackPath: /hooks/extsvc\n", ENV).server().callbackPath())
        .isEqualTo("/hooks/extsvc");
    assertThat(load("server:\n  port: 8080\n", ENV).server().callbackPath())
        .isEqualTo("/callbacks");
    assertThat(ExtsvcConfig.DEFAULTS.server().callbackPath()).isEqualTo("/callbacks");
    assertThat(refused("server:\n  port: 8080\n  callbackPath: hooks/\n"))
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(3);
              assertThat(e.getMessage())
                  .contains(
                      "callbackPath must look like /callbacks or /hooks/extsvc, was 'hooks/'");
            });
  }

  @Test
  void everyOptionCanComeFromTheEnvironment() throws IOException {
    ExtsvcConfig c =
        load(
            """
        server:
          port: 8080
        services:
          Acme Mortgages:
            endpoint: https://${env:ACME_HOST}
        """,
            Map.of(
                "ACME_HOST",
                "api.acme.example",
                "EXTSVC_SERVER_PORT",
                "9000",
                "EXTSVC_OUTBOUND_ALLOWPRIVATENETWORKS",
                "true",
                "EXTSVC_SERVICES_ACME_MORTGAGES_TIMEOUTS_TOTAL",
                "45s"));

    assertThat(c.server().port()).isEqualTo(9000);
    assertThat(c.outbound().allowPrivateNetworks()).isTrue();
    assertThat(c.services().get("Acme Mortgages").settings().endpoint())
        .isEqualTo("https://api.acme.example");
    assertThat(c.services().get("Acme Mortgages").settings().totalTimeout())
        .isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void aSecretWrittenIntoTheFileIsRefusedWithoutRepeatingIt() throws IOException {
    ConfigException e =
        refused(
            """
        credentials:
          acme-token:
            type: bearer
            token: sup3r-s3cret
        """);

    assertThat(e.line()).isEqualTo(4);
    assertThat(e.getMessage())
        .contains("extsvc.yaml:4:")
        .contains("credentials.acme-token.token")
        .contains("${env:NAME} or ${file:/path}")
        .doesNotContain("sup3r-s3cret");
  }

  @Test
  void anUnknownAcknowledgementIsRefusedWithItsLine() throws IOException {
    ConfigException e =
        refused(
            """
        services:
          Acme Mortgages:
            endpoint: https://api.acme.example
            acknowledgement: EVENTUALLY
        """);

    assertThat(e.line()).isEqualTo(4);
    assertThat(e.getMessage())
        .contains("acknowledgement must be SYNC or DURABLE, not 'EVENTUALLY'");
  }

  @Test
  void maskingTrustedProxiesAndQuotasAreReadAndCheckedWhereTheyAreWritten() throws IOException {
    ExtsvcConfig c =
        load(
            """
            limits:
              callbacksPerInvocation: 20
              callbacksAfterCompletion: 3
              totalCallbackBytes: 2GB
              unknownTokensPerMinute: 30
            callbacks:
              trustedProxies: [10.0.0.0/8, "fd00::/8"]
            masking:
              names: [X-Tenant, sig]
            """,
            ENV);

    assertThat(c.safety())
        .isEqualTo(
            new SafetyConfig(
                List.of("X-Tenant", "sig"),
                List.of("10.0.0.0/8", "fd00::/8"),
                30,
                new StorageQuotas(20, 3, 2L * 1024 * 1024 * 1024)));
    assertThat(load("server:\n  port: 8080\n", ENV).safety()).isEqualTo(SafetyConfig.DEFAULTS);
    assertThat(refused("callbacks:\n  trustedProxies: [proxy.example.com]\n").getMessage())
        .contains(":2:")
        .contains("'proxy.example.com' is not an address or block");
    assertThat(refused("limits:\n  callbacksPerInvocation: 0\n").getMessage())
        .contains(":2:")
        .contains("callbacksPerInvocation must be at least 1");
    assertThat(refused("masking:\n  names: ['']\n").getMessage())
        .contains(":2:")
        .contains("must not be empty");
    assertThat(refused("masking:\n  headers: [a]\n").getMessage())
        .contains("unknown key 'headers' in masking");
  }

  @Test
  void badFilesAreRefusedWithTheLineAndTheReason() throws IOException {
    assertThat(refused("server:\n  port: [1, 2\n").getMessage()).contains("malformed YAML");
    assertThat(refused("server:\n  prot: 80\n"))
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(2);
              assertThat(e.getMessage())
                  .contains("unknown key 'prot' in server; known: host, port,");
            });
    assertThat(refused("server:\n  port: eighty\n").getMessage())
        .contains(":2:")
        .contains("expected a whole number");
    assertThat(refused("server:\n  port: 70000\n").getMessage())
        .contains(":1:")
        .contains("port must be 0..65535");
    assertThat(refused("services:\n  A:\n    endpoint: ftp://x\n").getMessage())
        .contains(":2:")
        .contains("must be an absolute http or https URL");
    assertThat(refused("services:\n  A:\n    endpoint: https://a.example\n    credential: nope\n"))
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .contains(":4:")
                    .contains("credential 'nope' is not defined"));
    assertThat(refused("services:\n  A:\n    timeouts: {total: soon}\n").getMessage())
        .contains(":3:")
        .contains("expected a duration");
    assertThat(refused("credentials:\n  c: {type: kerberos}\n").getMessage())
        .contains(":2:")
        .contains("type must be one of apiKey, bearer, basic, oauth2ClientCredentials, mutualTls");
    assertThat(refused("server:\n  port: 1\n  port: 2\n").getMessage())
        .contains(":3:")
        .contains("appears twice");
    assertThat(refused("services:\n  A:\n    endpoint: https://${env:MISSING_HOST}\n").getMessage())
        .contains(":3:")
        .contains("environment variable MISSING_HOST is not set");
    assertThat(refused("server:\n  port: 1\n", Map.of("EXTSVC_SERVER_PORT", "x")).getMessage())
        .startsWith("environment variable EXTSVC_SERVER_PORT: ");
  }

  @Test
  void theFileIsFoundByOptionThenByVariable() {
    assertThat(ExtsvcConfig.locate(Path.of("a.yaml"), Map.of("EXTSVC_CONFIG", "b.yaml")))
        .isEqualTo(Path.of("a.yaml"));
    assertThat(ExtsvcConfig.locate(null, Map.of("EXTSVC_CONFIG", "b.yaml")))
        .isEqualTo(Path.of("b.yaml"));
    assertThat(ExtsvcConfig.locate(null, Map.of())).isNull();
    assertThat(ConfigReader.variableName(List.of("services", "Acme Mortgages", "endpoint")))
        .isEqualTo("EXTSVC_SERVICES_ACME_MORTGAGES_ENDPOINT");
  }

  @Test
  void callbackKeysGiveKeysTheirRolePerServiceAndOperation() throws IOException {
    Path file = dir.resolve("extsvc.yaml");
    Files.writeString(
        file,
        """
        services:
          Jobs:
            callbackKeys:
              runJob:
                status: {final: false}
                alive: {heartbeat: 1h}
                done: {final: true}
        """);
    var roles = ExtsvcConfig.load(file, ENV).services().get("Jobs").settings().callbackRoles();
    assertThat(roles.get("runJob"))
        .containsEntry("status", dev.extsvc.spec.CallbackRole.PROGRESS)
        .containsEntry(
            "alive", dev.extsvc.spec.CallbackRole.heartbeat(java.time.Duration.ofHours(1)))
        .containsEntry("done", dev.extsvc.spec.CallbackRole.FINAL);
  }

  @Test
  void aBadCallbackKeyEntryNamesItsLineAndColumn() throws IOException {
    assertThat(
            refused(
                "services:\n  Jobs:\n    callbackKeys:\n      runJob:\n"
                    + "        alive: {heartbeat: soon}\n"))
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(5);
              assertThat(e.getMessage()).contains("expected a duration");
            });
    assertThat(
            refused(
                "services:\n  Jobs:\n    callbackKeys:\n      runJob:\n"
                    + "        alive: {final: true, heartbeat: 1h}\n"))
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(5);
              assertThat(e.getMessage()).contains("cannot also be final: true");
            });
    assertThat(
            refused(
                "services:\n  Jobs:\n    callbackKeys:\n      runJob:\n"
                    + "        status: {last: false}\n"))
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(5);
              assertThat(e.getMessage()).contains("unknown key 'last'");
            });
  }
}
