package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static dev.extsvc.server.CallbackLoopTest.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ExternalServices.replay}: the console's "run the handler again", as a sender's retry
 * would.
 */
class RetryCallbackTest {
  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f = new Fixture(dir).withAcme();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  InvocationResult submit(RecordingHandler handler) {
    RequestParts input =
        RequestParts.fromJson(Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Alice\"}}}"));
    return f.services.invoke(
        Fixture.ACME, "SubmitApplication", input, handler, Duration.ofHours(1));
  }

  CallbackRow failedCallback(InvocationResult result) {
    RecordingHandler.FAILURES_LEFT.set(1);
    assertThat(f.postJson(result.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(500);
    return f.services.callbacks(result.invocationId()).getFirst();
  }

  @Test
  void aFailedCallbackRunsAgainAndCompletesTheInvocation() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));
    CallbackRow failed = failedCallback(result);

    CallbackResponse answer = f.services.replay(failed.id());

    assertThat(answer.status()).isEqualTo(200);
    assertThat(RecordingHandler.SEEN)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.applicant()).isEqualTo("Alice");
              assertThat(s.callback().body().get("approvedAmount").asInt()).isEqualTo(350000);
            });
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.store().callback(failed.id()).orElseThrow())
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.HANDLED);
              assertThat(c.attempts()).isEqualTo(2);
            });
    assertThat(f.services.events(result.invocationId()))
        .extracting(EventRow::kind)
        .containsSubsequence(
            EventKind.HANDLER_FAILED,
            EventKind.CALLBACK_RETRY,
            EventKind.HANDLER_OK,
            EventKind.COMPLETED);
  }

  @Test
  void aHandlerThatFailsAgainIsAnswered500AndTheInvocationStaysPending() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));
    CallbackRow failed = failedCallback(result);
    RecordingHandler.FAILURES_LEFT.set(1);

    assertThat(f.services.replay(failed.id()).status()).isEqualTo(500);
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.store().callback(failed.id()).orElseThrow().attempts()).isEqualTo(2);
  }

  @Test
  void aHandledCallbackIsNotRunAgain() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));
    f.postJson(result.callbackUrls().get(APPROVED), APPROVED_BODY);
    CallbackRow handled = f.services.callbacks(result.invocationId()).getFirst();

    assertThat(f.services.replay(handled.id()).status()).isEqualTo(409);
    assertThat(RecordingHandler.SEEN).hasSize(1);
  }

  @Test
  void anUnknownCallbackIs404() {
    assertThat(f.services.replay(UUID.randomUUID()).status()).isEqualTo(404);
  }

  @Test
  void afterTheDeadlineTheRetryTimesTheInvocationOutAndIsAnswered408() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));
    CallbackRow failed = failedCallback(result);
    f.clock.advance(Duration.ofHours(2));

    assertThat(f.services.replay(failed.id()).status()).isEqualTo(408);
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.TIMED_OUT);
    assertThat(RecordingHandler.SEEN).isEmpty();
  }

  @Test
  void aCancelledInvocationsCallbackIsNotRunAgain() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));
    CallbackRow failed = failedCallback(result);
    f.services.cancel(result.invocationId(), "customer withdrew");

    assertThat(f.services.replay(failed.id()).status()).isEqualTo(404);
    assertThat(RecordingHandler.SEEN).isEmpty();
  }
}
