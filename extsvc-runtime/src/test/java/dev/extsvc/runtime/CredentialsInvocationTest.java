package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.credentials.ApiKey;
import dev.extsvc.runtime.credentials.BasicAuth;
import dev.extsvc.runtime.credentials.BearerToken;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.testing.LoopbackService;
import dev.extsvc.spec.RequestParts;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Credentials are added to the request that goes out, and to nothing the runtime keeps or shows.
 */
class CredentialsInvocationTest {
  static final String SECURED = "Secured";
  static final String SPEC =
      """
      openapi: 3.1.0
      info: { title: Secured, version: "1" }
      components:
        securitySchemes:
          keyHeader: { type: apiKey, in: header, name: X-API-Key }
          keyQuery: { type: apiKey, in: query, name: api_key }
          bearer: { type: http, scheme: bearer }
          basic: { type: http, scheme: basic }
      paths:
        /key-header:
          post: { operationId: keyHeader, security: [ { keyHeader: [] } ], responses: { "201": { description: ok } } }
        /key-query:
          post: { operationId: keyQuery, security: [ { keyQuery: [] } ], responses: { "201": { description: ok } } }
        /bearer:
          post: { operationId: bearer, security: [ { bearer: [] } ], responses: { "201": { description: ok } } }
        /basic:
          post: { operationId: basic, security: [ { basic: [] } ], responses: { "201": { description: ok } } }
        /open:
          post: { operationId: open, security: [], responses: { "201": { description: ok } } }
      """;
  static final String KEY = "key-5e1f9a";
  static final String TOKEN = "bearer-0c7d3b";
  static final String PASSWORD = "pw-8b2e4f";
  static final String TENANT = "tenant-2a9c";

  RuntimeFixture f;

  @AfterEach
  void stop() {
    f.close();
  }

  RuntimeFixture secured(Consumer<ExternalServices.Builder> credentials) {
    f = new RuntimeFixture(credentials).register(SPEC, null);
    return f;
  }

  InvocationResult call(String operation) {
    return f.services.invoke(
        SECURED, operation, new RequestParts().body(RuntimeFixture.json("{\"n\":1}")), null, null);
  }

  /** Nothing the runtime stored or logged about the invocation holds the secret. */
  void assertNotKept(UUID id, String... secrets) {
    InvocationRow row = f.invocation(id);
    String kept =
        row.request()
            + row.syncHeaders()
            + row.syncBody()
            + row.reason()
            + f.services.events(id).stream().map(EventRow::message).toList();
    for (String secret : secrets) {
      assertThat(kept).doesNotContain(secret);
    }
  }

  @Test
  void anApiKeyGoesInTheNamedHeaderWithTheCredentialsExtraHeaders() {
    secured(
        b ->
            b.credential(
                    new ApiKey(
                        "acme-key",
                        ApiKey.In.HEADER,
                        "X-API-Key",
                        Secret.of(KEY),
                        Map.of("X-Tenant", Secret.of(TENANT))))
                .service(SECURED, s -> s.credential("acme-key")));

    InvocationResult r = call("keyHeader");

    assertThat(r.statusCode()).isEqualTo(201);
    LoopbackService.Request sent = f.bank.onlyRequest();
    assertThat(sent.header("X-API-Key")).isEqualTo(KEY);
    assertThat(sent.header("X-Tenant")).isEqualTo(TENANT);
    assertThat(r.sentRequest().toJson().toString()).doesNotContain(KEY).doesNotContain(TENANT);
    assertNotKept(r.invocationId(), KEY, TENANT);
  }

  @Test
  void anApiKeyInTheQueryIsSentButNeitherStoredNorLogged() {
    secured(
        b ->
            b.credential(new ApiKey("acme-key", ApiKey.In.QUERY, "api_key", Secret.of(KEY)))
                .service(SECURED, s -> s.credential("acme-key")));

    InvocationResult r = call("keyQuery");

    assertThat(f.bank.onlyRequest().uri().getRawQuery()).isEqualTo("api_key=" + KEY);
    assertNotKept(r.invocationId(), KEY);
  }

  @Test
  void aBearerTokenGoesInTheAuthorizationHeader() {
    secured(
        b ->
            b.credential(new BearerToken("acme-bearer", Secret.of(TOKEN)))
                .service(SECURED, s -> s.credential("acme-bearer")));

    InvocationResult r = call("bearer");

    assertThat(f.bank.onlyRequest().header("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertNotKept(r.invocationId(), TOKEN);
  }

  @Test
  void basicAuthenticationSendsUserAndPasswordEncoded() {
    secured(
        b ->
            b.credential(new BasicAuth("acme-basic", "alice", Secret.of(PASSWORD)))
                .service(SECURED, s -> s.credential("acme-basic")));

    InvocationResult r = call("basic");

    String encoded =
        Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    assertThat(f.bank.onlyRequest().header("Authorization")).isEqualTo("Basic " + encoded);
    assertNotKept(r.invocationId(), PASSWORD, encoded);
  }

  @Test
  void anOperationWhoseSchemeNoCredentialCoversIsRefusedBeforeAnythingIsSentOrStored() {
    secured(
        b ->
            b.credential(new BearerToken("acme-bearer", Secret.of(TOKEN)))
                .service(SECURED, s -> s.credential("acme-bearer")));

    assertThatThrownBy(() -> call("basic"))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("operation basic of service Secured needs")
        .hasMessageContaining("acme-bearer")
        .hasMessageContaining("nothing was sent");

    assertThat(f.bank.received()).isEmpty();
    assertThat(f.store.countByStatus().values().stream().mapToLong(Long::longValue).sum()).isZero();
  }

  @Test
  void anOperationWithoutSecurityNeedsNoCredential() {
    secured(b -> {});

    InvocationResult r = call("open");

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(f.bank.onlyRequest().header("Authorization")).isNull();
  }

  @Test
  void registrationWarnsAboutOperationsNoCredentialCovers() {
    f =
        new RuntimeFixture(
            b ->
                b.credential(new BearerToken("acme-bearer", Secret.of(TOKEN)))
                    .service(SECURED, s -> s.credential("acme-bearer")));

    var registration = f.services.register(SPEC, null);

    assertThat(registration.ok()).isTrue();
    assertThat(registration.report().warnings())
        .extracting(d -> d.message())
        .anyMatch(
            m -> m.contains("operation basic needs") && m.contains("calls to it will be refused"))
        .noneMatch(m -> m.contains("operation bearer needs"));
    List<CredentialCheck> checks = f.services.credentialChecks(SECURED);
    assertThat(checks)
        .filteredOn(CredentialCheck::satisfied)
        .extracting(CredentialCheck::operation)
        .containsExactlyInAnyOrder("bearer", "open");
  }

  @Test
  void aSecretFromAnUnsetVariableFailsAtBuildNamingTheVariableNotAValue() {
    assertThatThrownBy(
            () ->
                new RuntimeFixture(
                    b ->
                        b.credential(
                                new BearerToken(
                                    "acme-bearer",
                                    Secret.env("EXTSVC_TEST_SURELY_UNSET", name -> null)))
                            .service(SECURED, s -> s.credential("acme-bearer"))))
        .hasMessageContaining("EXTSVC_TEST_SURELY_UNSET");
    f = new RuntimeFixture();
  }

  @Test
  void aRotatedSecretIsReadAtTheNextCallout() {
    java.util.concurrent.atomic.AtomicReference<String> vault =
        new java.util.concurrent.atomic.AtomicReference<>(TOKEN);
    secured(
        b ->
            b.credential(new BearerToken("acme-bearer", Secret.env("TOKEN", name -> vault.get())))
                .service(SECURED, s -> s.credential("acme-bearer")));

    call("bearer");
    vault.set(TOKEN + "-rotated");
    call("bearer");

    assertThat(f.bank.received())
        .extracting(req -> req.header("Authorization"))
        .containsExactly("Bearer " + TOKEN, "Bearer " + TOKEN + "-rotated");
  }
}
