package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.RequestParts;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A progress key awaited by correlation at the service's shared address: its callbacks leave the
 * invocation PENDING (also one that arrived before the synchronous answer and was held), and the
 * final key's callback completes it. The spec and signature are {@link CorrelationTest}'s, with its
 * {@code answered} key made a progress key by configuration.
 */
class ProgressCorrelationTest {
  static final String CALLS = CorrelationTest.CALLS;

  RuntimeFixture f;

  /** The role configured for the {@code answered} key. */
  CallbackRole answeredRole() {
    return CallbackRole.PROGRESS;
  }

  @BeforeEach
  void start() {
    f =
        new RuntimeFixture(
            b ->
                b.endpoint(CALLS, "http://127.0.0.1:1")
                    .callbackSignature(
                        CALLS,
                        CallbackSignature.preset(
                            CallbackSignature.Scheme.GITHUB, Secret.of(CorrelationTest.SECRET)))
                    .correlate(
                        CALLS, "dial", "hangup", "$request.body#/ref", "$request.header.X-Ref")
                    .service(CALLS, s -> s.callbackRole("dial", "answered", answeredRole())));
    f.services = f.restart(b -> b.endpoint(CALLS, f.bank.url()));
    f.register(CorrelationTest.SPEC, null);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  CallbackResponse shared(String body, String... headers) {
    Callbacks c = Callbacks.atPath("POST", "services/" + CALLS).json(body);
    c.header("X-Hub-Signature-256", CorrelationTest.sign(body));
    for (int i = 0; i < headers.length; i += 2) {
      c.header(headers[i], headers[i + 1]);
    }
    return f.services.receiver().handle(c.build());
  }

  UUID dial(String ref) {
    return dial(ref, null);
  }

  UUID dial(String ref, @Nullable Duration timeout) {
    return f.services
        .invoke(
            CALLS,
            "dial",
            new RequestParts()
                .body(RuntimeFixture.json("{\"to\":\"+4915\",\"ref\":\"" + ref + "\"}")),
            null,
            timeout)
        .invocationId();
  }

  static String answered(String callId, int n) {
    return "{\"event\":\"call.answered\",\"data\":{\"call_id\":\""
        + callId
        + "\",\"n\":"
        + n
        + "}}";
  }

  @Test
  void progressCallbacksAtTheSharedAddressLeaveTheInvocationPendingUntilTheFinalKey() {
    f.bank.answer(200, "{\"call_id\":\"v3:abc\"}");
    UUID id = dial("R-1");

    assertThat(shared(answered("v3:abc", 1)).status()).isEqualTo(200);
    assertThat(shared(answered("v3:abc", 2)).status()).isEqualTo(200);
    assertThat(f.status(id)).isEqualTo(InvocationStatus.PENDING);

    String hangup = "{\"event\":\"call.hangup\"}";
    assertThat(shared(hangup, "X-Ref", "R-1").status()).isEqualTo(200);

    assertThat(f.status(id)).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(id))
        .extracting(CallbackRow::key, CallbackRow::outcome)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("answered", CallbackOutcome.HANDLED),
            org.assertj.core.groups.Tuple.tuple("answered", CallbackOutcome.HANDLED),
            org.assertj.core.groups.Tuple.tuple("hangup", CallbackOutcome.HANDLED));
    assertThat(f.kinds(id)).containsOnlyOnce("COMPLETED");
  }

  @Test
  void aProgressCallbackBeforeTheSynchronousAnswerIsDeliveredWithoutCompleting() {
    List<CallbackResponse> during = new CopyOnWriteArrayList<>();
    f.bank
        .answer(200, "{\"call_id\":\"v3:early\"}")
        .beforeAnswer(r -> during.add(shared(answered("v3:early", 1))));

    UUID id = dial("R-2");

    assertThat(during).extracting(CallbackResponse::status).containsExactly(202);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                f.services.callbacks(id).stream()
                    .anyMatch(c -> c.outcome() == CallbackOutcome.HANDLED));
    assertThat(f.status(id)).as("progress, delivered late").isEqualTo(InvocationStatus.PENDING);

    assertThat(shared("{\"event\":\"call.hangup\"}", "X-Ref", "R-2").status()).isEqualTo(200);
    assertThat(f.status(id)).isEqualTo(InvocationStatus.COMPLETED);
  }
}
