package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Callbacks whose URL extsvc cannot write, awaited by correlation at the service's shared address:
 * a {@code $response.body} key declared with {@code x-extsvc-correlation}, a static-URL key given a
 * rule by the builder, signatures required, early callbacks held and delivered or given up.
 */
class CorrelationTest {
  static final String CALLS = "Calls";
  static final String SECRET = "gh-secret";
  static final String SPEC =
      """
      openapi: 3.1.0
      info: { title: Calls, version: "1" }
      paths:
        /calls:
          post:
            operationId: dial
            requestBody:
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      to: { type: string }
                      ref: { type: string }
            responses:
              "200": { description: dialled }
            callbacks:
              answered:
                x-extsvc-correlation:
                  invocation: $response.body#/call_id
                  callback: $request.body#/data/call_id
                "{$response.body#/status_url}":
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [event, data]
                            properties:
                              event: { const: call.answered }
                              data: { type: object }
                    responses: { "200": { description: ok } }
              hangup:
                "https://provider.example/one-webhook-address":
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [event]
                            properties:
                              event: { const: call.hangup }
                    responses: { "200": { description: ok } }
      """;

  RuntimeFixture f;

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  RuntimeFixture start(java.util.function.Consumer<ExternalServices.Builder> more) {
    f =
        new RuntimeFixture(
            b ->
                more.accept(
                    b.endpoint(CALLS, "http://127.0.0.1:1")
                        .callbackSignature(
                            CALLS,
                            CallbackSignature.preset(
                                CallbackSignature.Scheme.GITHUB, Secret.of(SECRET)))
                        .correlate(
                            CALLS,
                            "dial",
                            "hangup",
                            "$request.body#/ref",
                            "$request.header.X-Ref")));
    f.services =
        f.restart(b -> b.endpoint(CALLS, f.bank.url())); // the bank stand-in's URL is known now
    f.register(SPEC, null);
    return f;
  }

  static String sign(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256="
          + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  CallbackResponse shared(String body, String signature, String... headers) {
    Callbacks c = Callbacks.atPath("POST", "services/" + CALLS).json(body);
    c.header("X-Hub-Signature-256", signature);
    for (int i = 0; i < headers.length; i += 2) {
      c.header(headers[i], headers[i + 1]);
    }
    return f.services.receiver().handle(c.build());
  }

  InvocationResult dial(String ref) {
    return f.services.invoke(
        CALLS,
        "dial",
        new RequestParts().body(RuntimeFixture.json("{\"to\":\"+4915\",\"ref\":\"" + ref + "\"}")),
        null,
        null);
  }

  InvocationStatus status(UUID id) {
    return f.services.invocation(id).orElseThrow().status();
  }

  @Test
  void aResponseBodyKeyIsAwaitedByTheValueOfTheAnswer() {
    start(b -> {});
    f.bank.answer(200, "{\"call_id\":\"v3:abc\",\"status_url\":\"https://provider.example/s\"}");
    UUID id = dial("R-1").invocationId();

    String body = "{\"event\":\"call.answered\",\"data\":{\"call_id\":\"v3:abc\"}}";
    CallbackResponse answer = shared(body, sign(body));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(status(id)).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(id)).extracting(c -> c.key()).containsExactly("answered");
  }

  @Test
  void aStaticUrlKeyIsAwaitedByARuleGivenToTheBuilder() {
    start(b -> {});
    f.bank.answer(200, "{\"call_id\":\"v3:other\"}");
    UUID id = dial("R-7").invocationId();

    String body = "{\"event\":\"call.hangup\"}";
    assertThat(shared(body, sign(body), "X-Ref", "R-8").status())
        .as("no invocation holds R-8: held")
        .isEqualTo(202);
    assertThat(status(id)).isEqualTo(InvocationStatus.PENDING);
    assertThat(shared(body, sign(body), "X-Ref", "R-7").status()).isEqualTo(200);
    assertThat(status(id)).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void aForgedSignatureIsRefused401WithoutAHint() {
    start(b -> {});
    f.bank.answer(200, "{\"call_id\":\"v3:abc\"}");
    UUID id = dial("R-1").invocationId();
    String body = "{\"event\":\"call.answered\",\"data\":{\"call_id\":\"v3:abc\"}}";

    CallbackResponse forged = shared(body, sign(body + " "));
    CallbackResponse unsigned =
        f.services
            .receiver()
            .handle(Callbacks.atPath("POST", "services/" + CALLS).json(body).build());

    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.body()).contains("Invalid signature").doesNotContain("sha256");
    assertThat(unsigned.status()).isEqualTo(401);
    assertThat(unsigned.body()).isEqualTo(forged.body());
    assertThat(status(id)).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.earlyCallbacks(10)).isEmpty();
  }

  @Test
  void aCallbackBeforeTheSynchronousAnswerIsHeldThenDelivered() {
    start(b -> {});
    String body = "{\"event\":\"call.answered\",\"data\":{\"call_id\":\"v3:early\"}}";
    List<CallbackResponse> during = new java.util.concurrent.CopyOnWriteArrayList<>();
    f.bank
        .answer(200, "{\"call_id\":\"v3:early\"}")
        .beforeAnswer(r -> during.add(shared(body, sign(body))));

    UUID id = dial("R-2").invocationId();

    assertThat(during).extracting(CallbackResponse::status).containsExactly(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> status(id) == InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(id)).extracting(c -> c.key()).containsExactly("answered");
    assertThat(f.services.earlyCallbacks(10)).isEmpty(); // delivered ones are not listed
    assertThat(f.services.events(id))
        .anyMatch(e -> e.message().contains("arrived early at the shared address"));
  }

  @Test
  void anUnmatchedCallbackDiesAfterItsHoldAndAReplayHoldsItAgain() {
    start(b -> b.earlyCallbackHold(Duration.ofMinutes(3)));
    String body = "{\"event\":\"call.answered\",\"data\":{\"call_id\":\"v3:nobody\"}}";
    assertThat(shared(body, sign(body)).status()).isEqualTo(202);
    assertThat(f.services.expireEarlyCallbacks()).isZero();

    f.clock.advance(Duration.ofMinutes(3));
    assertThat(f.services.expireEarlyCallbacks()).isEqualTo(1);

    List<EarlyCallbackRow> listed = f.services.earlyCallbacks(10);
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).dead()).isTrue();
    assertThat(listed.get(0).key()).isEqualTo("answered");
    assertThat(f.services.replay(listed.get(0).id()).status()).isEqualTo(202);
    assertThat(f.services.earlyCallbacks(10).get(0).held()).isTrue();

    f.bank.answer(200, "{\"call_id\":\"v3:nobody\"}");
    UUID id = dial("R-3").invocationId();
    await().atMost(Duration.ofSeconds(10)).until(() -> status(id) == InvocationStatus.COMPLETED);
  }

  @Test
  void aCorrelatedKeyIsNotRegisteredWithoutASignature() {
    f = new RuntimeFixture(b -> b.endpoint(CALLS, "http://127.0.0.1:1"));

    Registration r = f.services.register(SPEC, null);

    assertThat(r.ok()).isFalse();
    assertThat(r.report().errors().get(0).message())
        .contains("/callbacks/services/Calls")
        .contains("configure a callback signature");
    assertThat(f.services.services()).isEmpty();
    assertThatThrownBy(
            () ->
                ExternalServices.builder()
                    .store(new dev.extsvc.runtime.testing.InMemoryStore())
                    .publicBaseUrl("https://x.example")
                    .correlate(
                        CALLS, "dial", "hangup", "$request.body#/ref", "$request.header.X-Ref")
                    .build())
        .hasMessageContaining("callbackSignature");
  }

  @Test
  void aRuleWithAnExpressionItCannotUseIsRefusedSayingWhichSide() {
    assertThatThrownBy(
            () ->
                ExternalServices.builder()
                    .correlate(CALLS, "dial", "hangup", "$request.body#/ref", "$response.body#/x"))
        .hasMessageContaining("callback's value must be");
    assertThatThrownBy(
            () ->
                ExternalServices.builder()
                    .correlate(CALLS, "dial", "hangup", "$url", "$request.body#/x"))
        .hasMessageContaining("invocation's value must be");
  }
}
