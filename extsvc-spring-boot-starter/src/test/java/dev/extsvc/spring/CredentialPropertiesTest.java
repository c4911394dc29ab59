package dev.extsvc.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.extsvc.config.ExtsvcConfig;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.credentials.MutualTls;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Credentials from the Spring properties are read by the same reader as {@code extsvc.yaml}'s:
 * every kind comes out the same from both, every error names its property, and mutual TLS works
 * from properties.
 */
class CredentialPropertiesTest {
  static final Map<String, String> ENV = Map.of("ACME_SECRET", "s3cret-value");

  @TempDir Path dir;

  /** The credential NAME from the yaml text under {@code credentials:}. */
  Credential fromYaml(String name, String yaml) throws IOException {
    Path file = dir.resolve("extsvc.yaml");
    Files.writeString(file, "credentials:\n" + yaml.indent(2));
    return ExtsvcConfig.load(file, ENV).credentials().get(name);
  }

  /**
   * The credential NAME from properties under {@code extsvc.credentials.NAME.}, bound as Spring
   * binds them.
   */
  static Credential fromProperties(String name, Map<String, String> fields) {
    return Settings.credential(name, bind(name, fields).credentials().get(name));
  }

  static ExtsvcProperties bind(String name, Map<String, String> fields) {
    Map<String, String> properties = new LinkedHashMap<>();
    fields.forEach((k, v) -> properties.put("extsvc.credentials." + name + "." + k, v));
    return new Binder(new MapConfigurationPropertySource(properties))
        .bindOrCreate("extsvc", ExtsvcProperties.class);
  }

  static ExtsvcConfigException refused(Map<String, String> fields) {
    try {
      fromProperties("c", fields);
    } catch (ExtsvcConfigException e) {
      return e;
    }
    throw new AssertionError("the properties were accepted");
  }

  /** Every component of the record, secrets by their value, so that two readings compare. */
  static Map<String, Object> described(Credential c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", c.kind());
    for (RecordComponent rc : c.getClass().getRecordComponents()) {
      Object v;
      try {
        v = rc.getAccessor().invoke(c);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (v instanceof Secret s) {
        v = "secret " + s.value();
      } else if (v instanceof Map<?, ?> m) {
        Map<Object, Object> values = new LinkedHashMap<>();
        m.forEach((k, x) -> values.put(k, x instanceof Secret s ? "secret " + s.value() : x));
        v = values;
      }
      out.put(rc.getName(), v);
    }
    return out;
  }

  @Test
  void everyKindFromTheYamlAndFromSpringPropertiesIsTheSameCredential() throws IOException {
    Files.writeString(dir.resolve("client-secret.txt"), "from-a-file\n");
    String file = dir.resolve("client-secret.txt").toString();
    String keyStore = dir.resolve("client.p12").toString();
    String trustStore = dir.resolve("trust.p12").toString();

    assertThat(
            described(
                fromProperties(
                    "key",
                    Map.of(
                        "type",
                        "api-key",
                        "in",
                        "query",
                        "parameter-name",
                        "api_key",
                        "value",
                        "s3cret-value",
                        "headers.X-Tenant",
                        "t1"))))
        .isEqualTo(
            described(
                fromYaml(
                    "key",
                    """
            key: {type: apiKey, in: query, name: api_key, value: "${env:ACME_SECRET}", headers: {X-Tenant: t1}}
            """)));
    assertThat(described(fromProperties("tok", Map.of("type", "bearer", "token", "s3cret-value"))))
        .isEqualTo(
            described(fromYaml("tok", "tok: {type: bearer, token: \"${env:ACME_SECRET}\"}")));
    assertThat(
            described(
                fromProperties(
                    "b", Map.of("type", "basic", "username", "alice", "password", "s3cret-value"))))
        .isEqualTo(
            described(
                fromYaml(
                    "b", "b: {type: basic, username: alice, password: \"${env:ACME_SECRET}\"}")));
    assertThat(
            described(
                fromProperties(
                    "o",
                    Map.of(
                        "type",
                        "oauth2-client-credentials",
                        "token-url",
                        "https://auth.example/token",
                        "client-id",
                        "app",
                        "client-secret",
                        "${file:" + file + "}",
                        "scopes[0]",
                        "orders",
                        "scopes[1]",
                        "payments"))))
        .isEqualTo(
            described(
                fromYaml(
                    "o",
                    """
            o:
              type: oauth2ClientCredentials
              tokenUrl: https://auth.example/token
              clientId: app
              clientSecret: ${file:client-secret.txt}
              scopes: [orders, payments]
            """)));
    assertThat(
            described(
                fromProperties(
                    "tls",
                    Map.of(
                        "type",
                        "mutual-tls",
                        "key-store",
                        keyStore,
                        "key-store-password",
                        "s3cret-value",
                        "trust-store",
                        trustStore,
                        "trust-store-password",
                        "${file:" + file + "}"))))
        .isEqualTo(
            described(
                fromYaml(
                    "tls",
                    """
            tls: {type: mutualTls, keyStore: client.p12, keyStorePassword: "${env:ACME_SECRET}",
                  trustStore: trust.p12, trustStorePassword: "${file:client-secret.txt}"}
            """)));
  }

  @Test
  void aReferenceThatSpringLeftAloneStaysAReferenceReadAtEachCallout() {
    Credential c =
        fromProperties("tok", Map.of("type", "bearer", "token", "${file:/run/secrets/acme}"));

    assertThat(c.toString()).contains("${file:/run/secrets/acme}");
  }

  @Test
  void everyErrorNamesItsPropertyAndNeverTheSecret() {
    assertThat(refused(Map.of("token", "x"))).hasMessage("extsvc.credentials.c.type: is required");
    assertThat(refused(Map.of("type", "kerberos")))
        .hasMessage(
            "extsvc.credentials.c.type: must be one of api-key,"
                + " bearer, basic, oauth2-client-credentials, mutual-tls, not 'kerberos'");
    assertThat(
            refused(Map.of("type", "api-key", "in", "body", "parameter-name", "k", "value", "v")))
        .hasMessage("extsvc.credentials.c.in: must be header, query or cookie, not 'body'");
    assertThat(refused(Map.of("type", "api-key", "in", "header", "value", "v")))
        .hasMessage("extsvc.credentials.c.parameter-name: is required");
    assertThat(
            refused(
                Map.of(
                    "type",
                    "oauth2-client-credentials",
                    "token-url",
                    "https://a.example/t",
                    "client-id",
                    "app")))
        .hasMessage(
            "extsvc.credentials.c.client-secret: is required (write it as a"
                + " placeholder, e.g. ${ACME_TOKEN})");
    assertThat(refused(Map.of("type", "mutual-tls", "key-store-password", "p")))
        .hasMessage("extsvc.credentials.c.key-store: is required");
    assertThat(
            refused(
                Map.of(
                    "type",
                    "mutual-tls",
                    "key-store",
                    "k.p12",
                    "key-store-password",
                    "p",
                    "trust-store",
                    "t.p12")))
        .hasMessage("extsvc.credentials.c: credential c: a trust store needs its password");
    assertThat(refused(Map.of("type", "bearer", "token", "s3cret-value", "username", "alice")))
        .hasMessage("extsvc.credentials.c.username: is not a field of a bearer credential");
    assertThat(refused(Map.of("type", "bearer", "token", "${ACME_UNSET}")))
        .hasMessageStartingWith(
            "extsvc.credentials.c.token: has a placeholder that nothing resolves");
    assertThat(refused(Map.of("type", "bearer", "token", "${env:not a name}")))
        .hasMessageStartingWith("extsvc.credentials.c.token: ");
    assertThat(
            refused(
                Map.of(
                    "type",
                    "oauth2-client-credentials",
                    "token-url",
                    "https://a.example/ t",
                    "client-id",
                    "app",
                    "client-secret",
                    "s3cret-value")))
        .hasMessage("extsvc.credentials.c.token-url: must be a URL, not 'https://a.example/ t'");
    assertThat(
            refused(Map.of("type", "bearer", "token", "s3cret-value", "headers[Bad Header]", "x")))
        .hasMessageStartingWith("extsvc.credentials.c: ")
        .hasMessageNotContaining("s3cret-value");
  }

  @Test
  void aBadCredentialStopsTheApplicationWithTheFailureAnalyzersReport() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ExtsvcAutoConfiguration.class))
        .withPropertyValues(
            "extsvc.store.sqlite-file=" + dir.resolve("extsvc.db"),
            "extsvc.credentials.acme-mtls.type=mutual-tls",
            "extsvc.credentials.acme-mtls.key-store-password=p")
        .run(
            context -> {
              assertThat(context).hasFailed();
              ExtsvcConfigException e =
                  (ExtsvcConfigException)
                      org.assertj.core.util.Throwables.getRootCause(context.getStartupFailure());
              assertThat(e.property()).isEqualTo("extsvc.credentials.acme-mtls.key-store");
              assertThat(
                      new ExtsvcFailureAnalyzer().analyze(context.getStartupFailure()).getAction())
                  .contains("'extsvc.credentials.acme-mtls.key-store'");
            });
  }

  @Test
  void mutualTlsFromSpringPropertiesPresentsTheClientCertificate() throws Exception {
    TestKeyStores keys = new TestKeyStores(dir);
    List<String> clients = new CopyOnWriteArrayList<>();
    HttpsServer service = httpsService(keys.serverContext(), clients);
    try {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ExtsvcAutoConfiguration.class))
          .withPropertyValues(
              "extsvc.public-base-url=https://app.example.com",
              "extsvc.store.sqlite-file=" + dir.resolve("extsvc.db"),
              "extsvc.credentials.acme-mtls.type=mutual-tls",
              "extsvc.credentials.acme-mtls.key-store=" + keys.keys,
              "extsvc.credentials.acme-mtls.key-store-password=" + TestKeyStores.PASSWORD,
              "extsvc.credentials.acme-mtls.trust-store=" + keys.trust,
              "extsvc.credentials.acme-mtls.trust-store-password=" + TestKeyStores.PASSWORD,
              "extsvc.services.acme.name=Acme Mortgages",
              "extsvc.services.acme.spec=file:"
                  + Path.of("../examples/acme-mortgages.json").toAbsolutePath(),
              "extsvc.services.acme.endpoint=https://127.0.0.1:" + service.getAddress().getPort(),
              "extsvc.services.acme.credential=acme-mtls",
              "extsvc.services.acme.allow-private-network=true")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                ExternalServices services = context.getBean(ExternalServices.class);
                RequestParts request =
                    new RequestParts()
                        .body(new ObjectMapper().readTree("{\"applicant\":{\"name\":\"Alice\"}}"));

                InvocationResult r =
                    services.invoke(
                        "Acme Mortgages", "SubmitApplication", request, null, Duration.ofHours(1));

                assertThat(r.statusCode()).isEqualTo(201);
                assertThat(clients).containsExactly(TestKeyStores.SUBJECT);
              });
    } finally {
      service.stop(0);
    }
    assertThat(
            fromProperties(
                "m",
                Map.of(
                    "type",
                    "mutual-tls",
                    "key-store",
                    keys.keys.toString(),
                    "key-store-password",
                    TestKeyStores.PASSWORD)))
        .isInstanceOfSatisfying(MutualTls.class, m -> assertThat(m.trustStore()).isNull());
  }

  /** An HTTPS service on loopback that requires a client certificate and records whose it was. */
  static HttpsServer httpsService(SSLContext context, List<String> clients) throws IOException {
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters p = context.getDefaultSSLParameters();
            p.setNeedClientAuth(true);
            params.setSSLParameters(p);
          }
        });
    https.createContext(
        "/",
        exchange -> {
          try (exchange) {
            clients.add(((HttpsExchange) exchange).getSSLSession().getPeerPrincipal().getName());
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"applicationNumber\":\"A-1\"}".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
          }
        });
    https.start();
    return https;
  }

  @Test
  void aMisspeltTypeIsNotASilentDefault() {
    assertThatThrownBy(() -> fromProperties("c", Map.of("type", "mutual_tls")))
        .isInstanceOf(ExtsvcConfigException.class)
        .hasMessage("extsvc.credentials.c.key-store: is required");
  }
}
