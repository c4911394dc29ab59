package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.CalloutException;
import dev.extsvc.runtime.CredentialCheck;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.credentials.ApiKey;
import dev.extsvc.runtime.credentials.BasicAuth;
import dev.extsvc.runtime.credentials.BearerToken;
import dev.extsvc.runtime.credentials.MutualTls;
import dev.extsvc.runtime.credentials.OAuth2ClientCredentials;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.credentials.SecretUnavailableException;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every credential kind against a real service on loopback (and a real token endpoint, and real TLS
 * with certificates made for the test); afterwards, no secret in the log, the events or the API's
 * answers.
 */
class CredentialsTest {
  static final String SERVICE = "Secured";
  static final String API_KEY = "key-9f2c1e0b";
  static final String BEARER = "bearer-77aa31d4";
  static final String PASSWORD = "pw-s3cr3t-42";
  static final String CLIENT_SECRET = "client-secret-x1y2";
  static final String TENANT = "tenant-hdr-5c5c";
  static final String ACCESS_TOKEN = "access-token-";
  static final List<String> SECRETS =
      List.of(
          API_KEY,
          BEARER,
          PASSWORD,
          CLIENT_SECRET,
          TENANT,
          ACCESS_TOKEN,
          TestCertificates.PASSWORD,
          Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes()));

  /** Everything the runtime showed about the invocations of this class: events and API answers. */
  static final List<String> SHOWN = new CopyOnWriteArrayList<>();

  @TempDir Path dir;
  final LocalService service = new LocalService();
  final LocalService tokenEndpoint = new LocalService();
  final AtomicInteger tokensIssued = new AtomicInteger();
  final List<Fixture> fixtures = new ArrayList<>();

  Fixture fixture(Consumer<dev.extsvc.runtime.ExternalServices.Builder> customizer) {
    Fixture f =
        new Fixture(
            dir.resolve("f" + fixtures.size()),
            b -> {
              b.service(SERVICE, s -> s.endpoint(service.url()));
              customizer.accept(b);
            });
    fixtures.add(f);
    Registration r = f.services.register(spec(), SERVICE);
    assertThat(r.ok()).as(r.report().toString()).isTrue();
    return f;
  }

  static String spec() {
    try {
      return Files.readString(Path.of("src/test/resources/specs/secured.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InvocationResult call(Fixture f, String operation) {
    return f.services.invoke(
        SERVICE,
        operation,
        new RequestParts().body(Json.MAPPER.createObjectNode().put("n", 1)),
        null,
        null);
  }

  @AfterEach
  void collectWhatWasShownAndStop() {
    for (Fixture f : fixtures) {
      String api = f.server.localUrl() + "/api/invocations";
      String list = f.send("GET", api, null, null).body();
      SHOWN.add(list);
      SHOWN.add(f.send("GET", f.server.localUrl() + "/api/services", null, null).body());
      Json.readTrusted(list)
          .forEach(
              inv -> {
                String id = inv.path("id").asText();
                SHOWN.add(f.send("GET", api + "/" + id, null, null).body());
                f.services
                    .events(java.util.UUID.fromString(id))
                    .forEach(e -> SHOWN.add(e.kind() + " " + e.message()));
              });
      f.close();
    }
    service.close();
    tokenEndpoint.close();
  }

  @AfterAll
  static void noSecretIsInTheLogTheEventsOrTheApi() throws IOException {
    String log = Files.readString(Path.of("target/test.log"), StandardCharsets.UTF_8);
    assertThat(log)
        .as("the log was written by this class's runs")
        .contains("Registered service Secured");
    assertThat(SHOWN)
        .as("events and API answers were collected")
        .anyMatch(s -> s.contains("CALLOUT"));
    for (String secret : SECRETS) {
      assertThat(log).as("the test log").doesNotContain(secret);
      assertThat(SHOWN).as("events and API answers").noneMatch(s -> s.contains(secret));
    }
  }

  @Test
  void anApiKeyGoesInTheHeaderTheSpecNamesWithTheCredentialsCustomHeaders() {
    Fixture f =
        fixture(
            b ->
                b.credential(
                        new ApiKey(
                            "acme-key",
                            ApiKey.In.HEADER,
                            "X-API-Key",
                            Secret.of(API_KEY),
                            Map.of("X-Tenant", Secret.of(TENANT))))
                    .service(SERVICE, s -> s.credential("acme-key")));

    InvocationResult r = call(f, "keyHeader");

    assertThat(r.statusCode()).isEqualTo(201);
    LocalService.Seen seen = service.seen().get(0);
    assertThat(seen.header("X-API-Key")).isEqualTo(API_KEY);
    assertThat(seen.header("X-Tenant")).isEqualTo(TENANT);
    assertThat(r.sentRequest().toJson().toString()).doesNotContain(API_KEY).doesNotContain(TENANT);
  }

  @Test
  void anApiKeyInTheQueryIsAddedToTheUrlButNotToWhatIsStoredOrLogged() {
    Fixture f =
        fixture(
            b ->
                b.credential(new ApiKey("acme-key", ApiKey.In.QUERY, "api_key", Secret.of(API_KEY)))
                    .service(SERVICE, s -> s.credential("acme-key")));

    InvocationResult r = call(f, "keyQuery");

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(service.seen().get(0).uri().getQuery()).isEqualTo("api_key=" + API_KEY);
    assertThat(f.services.events(r.invocationId()))
        .allSatisfy(e -> assertThat(e.message()).doesNotContain(API_KEY));
  }

  @Test
  void anApiKeyInACookieJoinsTheCookiesTheCallerSent() {
    Fixture f =
        fixture(
            b ->
                b.credential(
                        new ApiKey("acme-key", ApiKey.In.COOKIE, "session", Secret.of(API_KEY)))
                    .service(SERVICE, s -> s.credential("acme-key")));

    InvocationResult r =
        f.services.invoke(
            SERVICE, "keyCookie", new RequestParts().header("Cookie", "lang=en"), null, null);

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(service.seen().get(0).header("Cookie")).isEqualTo("lang=en; session=" + API_KEY);
  }

  @Test
  void aBearerTokenIsReadFromItsFileAtEachCallSoARotatedFileIsUsed() throws IOException {
    Path file = dir.resolve("token");
    Files.writeString(file, BEARER + "-old\n");
    Fixture f =
        fixture(
            b ->
                b.credential(new BearerToken("acme-token", Secret.file(file)))
                    .service(SERVICE, s -> s.credential("acme-token")));

    call(f, "bearer");
    Files.writeString(file, BEARER + "\n");
    call(f, "bearer");

    assertThat(service.seen())
        .extracting(s -> s.header("Authorization"))
        .containsExactly("Bearer " + BEARER + "-old", "Bearer " + BEARER);
  }

  @Test
  void basicAuthenticationSendsUserAndPassword() {
    Fixture f =
        fixture(
            b ->
                b.credential(new BasicAuth("acme-basic", "alice", Secret.of(PASSWORD)))
                    .service(SERVICE, s -> s.credential("acme-basic")));

    call(f, "basic");

    String header = service.seen().get(0).header("Authorization");
    assertThat(header).startsWith("Basic ");
    assertThat(new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8))
        .isEqualTo("alice:" + PASSWORD);
  }

  /** A token endpoint that checks the client's id and secret and issues numbered tokens. */
  void issueTokens(long expiresIn, Duration delay) {
    tokenEndpoint.answer(
        s -> {
          String expected =
              "Basic " + Base64.getEncoder().encodeToString(("app-1:" + CLIENT_SECRET).getBytes());
          if (!expected.equals(s.header("Authorization"))
              || !s.body().contains("grant_type=client_credentials")) {
            return new LocalService.Answer(401, "{\"error\":\"invalid_client\"}");
          }
          sleep(delay);
          int n = tokensIssued.incrementAndGet();
          return new LocalService.Answer(
              200,
              "{\"access_token\":\""
                  + ACCESS_TOKEN
                  + n
                  + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                  + expiresIn
                  + "}");
        });
  }

  Fixture oauthFixture() {
    return fixture(
        b ->
            b.credential(
                    new OAuth2ClientCredentials(
                        "acme-oauth",
                        URI.create(tokenEndpoint.url() + "/oauth/token"),
                        "app-1",
                        Secret.of(CLIENT_SECRET),
                        List.of("orders"),
                        Map.of()))
                .service(SERVICE, s -> s.credential("acme-oauth")));
  }

  @Test
  void anOAuthTokenIsFetchedOnceAndKeptUntilShortlyBeforeItExpires() {
    issueTokens(3600, Duration.ZERO);
    Fixture f = oauthFixture();

    call(f, "oauth");
    call(f, "oauth");
    f.clock.advance(Duration.ofSeconds(3600 - 31)); // still outside the last 30 s
    call(f, "oauth");
    f.clock.advance(Duration.ofSeconds(2)); // inside them: refreshed before it can expire in flight
    call(f, "oauth");

    assertThat(tokensIssued).hasValue(2);
    assertThat(service.seen())
        .extracting(s -> s.header("Authorization"))
        .containsExactly(
            "Bearer " + ACCESS_TOKEN + 1,
            "Bearer " + ACCESS_TOKEN + 1,
            "Bearer " + ACCESS_TOKEN + 1,
            "Bearer " + ACCESS_TOKEN + 2);
    assertThat(tokenEndpoint.seen().get(0).body())
        .isEqualTo("grant_type=client_credentials&scope=orders");
  }

  @Test
  void a401TriggersExactlyOneRefreshAndOneRetry() {
    issueTokens(3600, Duration.ZERO);
    service.answer(
        s ->
            ("Bearer " + ACCESS_TOKEN + 1).equals(s.header("Authorization"))
                ? new LocalService.Answer(401, "{\"error\":\"token revoked\"}")
                : new LocalService.Answer(201, "{}"));
    Fixture f = oauthFixture();

    InvocationResult r = call(f, "oauth");

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(tokensIssued).hasValue(2);
    assertThat(service.seen()).hasSize(2);
    assertThat(f.services.events(r.invocationId()))
        .anySatisfy(
            e ->
                assertThat(e.message())
                    .contains("answered 401; fetching a new access token and trying once more"));
  }

  @Test
  void aServiceThatKeepsAnswering401GetsOneRetryNotALoop() {
    issueTokens(3600, Duration.ZERO);
    service.answer(s -> new LocalService.Answer(401, "{}"));
    Fixture f = oauthFixture();

    InvocationResult r = call(f, "oauth");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(tokensIssued).hasValue(2);
    assertThat(service.seen()).hasSize(2);
    assertThat(f.services.invocation(r.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.CANCELLED);
  }

  @Test
  void concurrentCallsWithoutATokenCauseOneFetch() throws Exception {
    issueTokens(3600, Duration.ofMillis(300));
    Fixture f = oauthFixture();
    int callers = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<Future<InvocationResult>> results = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                return call(f, "oauth");
              }));
    }
    go.countDown();
    for (Future<InvocationResult> r : results) {
      assertThat(r.get().statusCode()).isEqualTo(201);
    }
    pool.close();

    assertThat(tokensIssued).hasValue(1);
    assertThat(service.seen())
        .hasSize(callers)
        .allSatisfy(
            s -> assertThat(s.header("Authorization")).isEqualTo("Bearer " + ACCESS_TOKEN + 1));
  }

  @Test
  void aTokenEndpointThatRefusesTheClientFailsTheCallBeforeAnythingIsSentOrStored() {
    tokenEndpoint.answer(s -> new LocalService.Answer(401, "{\"error\":\"invalid_client\"}"));
    Fixture f = oauthFixture();

    assertThatThrownBy(() -> call(f, "oauth"))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("credential acme-oauth: token endpoint")
        .hasMessageContaining("answered 401 (invalid_client)");
    assertThat(service.seen()).isEmpty();
    assertThat(
            f.store.invocations(
                new dev.extsvc.runtime.store.InvocationQuery(
                    null, null, null, null, null, null, 10)))
        .isEmpty();
  }

  @Test
  void mutualTlsPresentsTheClientCertificateAndTrustsOnlyTheTrustStore() throws Exception {
    TestCertificates certs = new TestCertificates(dir);
    try (LocalService tlsService = new LocalService(certs.serverContext())) {
      Secret pass = Secret.of(TestCertificates.PASSWORD);
      Fixture f =
          fixture(
              b ->
                  b.credential(
                          new MutualTls(
                              "acme-mtls", certs.clientKeys, pass, certs.clientTrust, pass))
                      .service(SERVICE, s -> s.endpoint(tlsService.url()).credential("acme-mtls")));

      InvocationResult r = call(f, "mtls");

      assertThat(r.statusCode()).isEqualTo(201);
      assertThat(tlsService.seen().get(0).clientCertificate()).isEqualTo("CN=extsvc-test-client");
    }
  }

  @Test
  void withoutTheClientCertificateTheHandshakeFails() throws Exception {
    TestCertificates certs = new TestCertificates(dir);
    try (LocalService tlsService = new LocalService(certs.serverContext())) {
      Secret pass = Secret.of(TestCertificates.PASSWORD);
      // trusts the server, but presents the server's own key, which the server does not trust as a
      // client
      Fixture f =
          fixture(
              b ->
                  b.credential(
                          new MutualTls(
                              "wrong-key", certs.serverKeys, pass, certs.clientTrust, pass))
                      .credential(new BearerToken("acme-token", Secret.of(BEARER)))
                      .service(SERVICE, s -> s.endpoint(tlsService.url()).credential("wrong-key")));

      assertThatThrownBy(() -> call(f, "mtls")).isInstanceOf(CalloutException.class);
      assertThat(tlsService.seen()).isEmpty();
    }
  }

  @Test
  void anOperationWhoseCredentialIsMissingIsRefusedBeforeAnyByteGoesOut() {
    Fixture f =
        fixture(
            b ->
                b.credential(new BasicAuth("acme-basic", "alice", Secret.of(PASSWORD)))
                    .service(SERVICE, s -> s.credential("acme-basic")));

    assertThatThrownBy(() -> call(f, "bearer"))
        .isInstanceOf(ExtsvcException.class)
        .hasMessage(
            "operation bearer of service Secured needs http bearer 'bearer' (bearer or oauth2ClientCredentials),"
                + " but the service has no matching credential (its credentials: [acme-basic (basic)]); nothing was sent");
    assertThat(service.seen()).isEmpty();
    assertThat(call(f, "open").statusCode()).isEqualTo(201);
  }

  @Test
  void registrationReportsWhichCredentialEachOperationExpects() {
    Fixture f =
        fixture(
            b ->
                b.credential(new BearerToken("acme-token", Secret.of(BEARER)))
                    .service(SERVICE, s -> s.credential("acme-token")));

    Registration again = f.services.register(spec(), SERVICE);

    assertThat(f.services.credentialChecks(SERVICE))
        .extracting(CredentialCheck::operation, CredentialCheck::satisfied)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("keyHeader", false),
            org.assertj.core.groups.Tuple.tuple("keyQuery", false),
            org.assertj.core.groups.Tuple.tuple("keyCookie", false),
            org.assertj.core.groups.Tuple.tuple("bearer", true),
            org.assertj.core.groups.Tuple.tuple("basic", false),
            org.assertj.core.groups.Tuple.tuple("oauth", true),
            org.assertj.core.groups.Tuple.tuple("mtls", false),
            org.assertj.core.groups.Tuple.tuple("open", true));
    assertThat(f.services.credentialChecks(SERVICE).get(0).expects())
        .isEqualTo("apiKey in header X-API-Key 'keyHeader' (apiKey)");
    assertThat(again.report().warnings())
        .anySatisfy(
            d ->
                assertThat(d.message())
                    .isEqualTo(
                        "operation basic needs http basic 'basic' (basic), but service Secured has no matching credential:"
                            + " calls to it will be refused"));
  }

  @Test
  void aSecretThatCannotBeReadStopsTheStartWithItsName() {
    try (var store = dev.extsvc.store.jdbc.JdbcStore.sqlite(dir.resolve("unset.db"))) {
      var builder =
          dev.extsvc.runtime.ExternalServices.builder()
              .store(store)
              .publicBaseUrl("http://127.0.0.1:1")
              .credential(
                  new BearerToken("acme-token", Secret.env("EXTSVC_TEST_SURELY_UNSET_VARIABLE")))
              .service(SERVICE, s -> s.endpoint(service.url()).credential("acme-token"));

      assertThatThrownBy(builder::build)
          .isInstanceOf(SecretUnavailableException.class)
          .hasMessage(
              "credential acme-token: environment variable EXTSVC_TEST_SURELY_UNSET_VARIABLE is not set");
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
