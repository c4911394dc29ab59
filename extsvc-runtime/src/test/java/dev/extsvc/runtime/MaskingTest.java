package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.ACME;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED_BODY;
import static dev.extsvc.runtime.RuntimeFixture.SUBMIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.testing.Callbacks;
import dev.extsvc.runtime.testing.LoopbackService;
import dev.extsvc.spec.RequestParts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A caller's own secrets (headers and query parameters) and a sender's (Authorization, signature
 * headers) are sent or received as they are, and kept and shown only masked.
 */
class MaskingTest {
  static final List<String> SECRETS =
      List.of(
          "caller-bearer-1",
          "caller-api-key-2",
          "caller-cookie-3",
          "caller-tenant-4",
          "caller-access-token-5",
          "caller-sig-6",
          "sender-auth-7",
          "sender-signature-8",
          "service-session-9");

  RuntimeFixture f;

  @BeforeEach
  void start() {
    TestHandler.reset();
    f = new RuntimeFixture(b -> b.maskNames("X-Tenant", "sig")).withAcme();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  InvocationResult invokeWithSecrets() {
    f.bank.answer(
        new LoopbackService.Answer(
            201,
            "{\"applicationNumber\":\"A-1001\"}",
            Map.of("Set-Cookie", "session=service-session-9")));
    RequestParts parts =
        RuntimeFixture.application("Alice")
            .header("Authorization", "Bearer caller-bearer-1")
            .header("X-Api-Key", "caller-api-key-2")
            .header("Cookie", "sid=caller-cookie-3")
            .header("X-Tenant", "caller-tenant-4")
            .header("X-Request-Id", "visible-request-id")
            .query("access_token", "caller-access-token-5")
            .query("sig", "caller-sig-6")
            .query("page", "visible-page");
    return f.services.invoke(ACME, SUBMIT, parts, new TestHandler("Alice", APPROVED), null);
  }

  @Test
  void theCalloutCarriesTheCallersSecretsAndTheStoredRequestMasksThem() {
    InvocationResult r = invokeWithSecrets();

    LoopbackService.Request sent = f.bank.onlyRequest();
    assertThat(sent.header("Authorization")).isEqualTo("Bearer caller-bearer-1");
    assertThat(sent.header("X-Api-Key")).isEqualTo("caller-api-key-2");
    assertThat(sent.header("Cookie")).isEqualTo("sid=caller-cookie-3");
    assertThat(sent.header("X-Tenant")).isEqualTo("caller-tenant-4");
    assertThat(sent.uri().getRawQuery())
        .contains("access_token=caller-access-token-5")
        .contains("sig=caller-sig-6");

    InvocationRow row = f.invocation(r.invocationId());
    assertThat(row.request())
        .contains("\"Authorization\":\"****\"")
        .contains("\"X-Api-Key\":\"****\"")
        .contains("\"Cookie\":\"****\"")
        .contains("\"X-Tenant\":\"****\"")
        .contains("\"access_token\":\"****\"")
        .contains("\"sig\":\"****\"")
        .contains("visible-request-id")
        .contains("visible-page");
    assertNoSecretIn(row.request());
    assertNoSecretIn(String.valueOf(row.syncHeaders()));
    assertThat(String.valueOf(row.syncHeaders())).containsIgnoringCase("set-cookie");
  }

  @Test
  void aSendersAuthorizationAndSignatureHeadersAreStoredMaskedAndNoEventCarriesASecret() {
    InvocationResult r = invokeWithSecrets();

    CallbackResponse answer =
        f.services
            .receiver()
            .handle(
                Callbacks.to("POST", r.callbackUrls().get(APPROVED))
                    .json(APPROVED_BODY)
                    .header("Authorization", "Basic sender-auth-7")
                    .header("X-Hub-Signature-256", "sha256=sender-signature-8")
                    .header("Idempotency-Key", "visible-idempotency-key")
                    .build());

    assertThat(answer.status()).isEqualTo(200);
    String headers = f.services.callbacks(r.invocationId()).get(0).headers();
    assertThat(headers)
        .contains("\"authorization\":\"****\"")
        .contains("\"x-hub-signature-256\":\"****\"")
        .contains("visible-idempotency-key");
    assertNoSecretIn(headers);
    for (EventRow e : f.services.events(r.invocationId())) {
      assertNoSecretIn(e.message());
    }
    assertThat(TestHandler.SEEN).hasSize(1);
  }

  @Test
  void anEmptyNameToMaskIsRefused() {
    assertThatThrownBy(() -> dev.extsvc.runtime.ExternalServices.builder().maskNames(" "))
        .hasMessageContaining("must not be empty");
  }

  static void assertNoSecretIn(String text) {
    for (String secret : SECRETS) {
      assertThat(text).doesNotContain(secret);
    }
  }
}
