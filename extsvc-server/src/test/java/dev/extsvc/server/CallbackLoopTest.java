package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.CalloutException;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The asynchronous loop over real HTTP on loopback: invoke, callback URLs, receive, handle, answer.
 */
class CallbackLoopTest {
  static final String APPROVED = "applicationOutcomeApproved";
  static final String REJECTED = "applicationOutcomeRejected";
  static final String ERROR = "applicationError";
  static final String APPROVED_BODY =
      "{\"applicationNumber\":\"A-1001\",\"status\":\"approved\",\"approvedAmount\":350000}";
  static final String ERROR_BODY =
      "{\"applicationNumber\":\"A-1001\",\"errorMessage\":\"missing payslip\"}";

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
    return submit(handler, null);
  }

  InvocationResult submit(RecordingHandler handler, Duration timeout) {
    RequestParts input =
        RequestParts.fromJson(
            Json.readTrusted(
                "{\"body\":{\"applicant\":{\"name\":\"Alice\",\"address\":\"1 Main St\"}}}"));
    return f.services.invoke(Fixture.ACME, "SubmitApplication", input, handler, timeout);
  }

  @Test
  void callbackUrlsAreWrittenExactlyWhereTheKeysExpressionsPoint() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));

    assertThat(result.statusCode()).isEqualTo(201);
    TestBank.Received sent = f.bank.received().get(0);
    JsonNode body = Json.readTrusted(sent.body());
    String base = f.services.publicBaseUrl() + "/callbacks/";
    String approved = body.at("/callbackUrlForOutcomes/approved").asText();
    String rejected = body.at("/callbackUrlForOutcomes/rejected").asText();
    String query = sent.uri().getRawQuery();
    assertThat(query).startsWith("callbackUrlForErrorCases=");
    String error =
        URLDecoder.decode(query.substring(query.indexOf('=') + 1), StandardCharsets.UTF_8);
    assertThat(List.of(approved, rejected, error))
        .allSatisfy(u -> assertThat(u).startsWith(base).matches(".*/callbacks/[A-Za-z0-9_-]{43}"));
    assertThat(List.of(approved, rejected, error)).doesNotHaveDuplicates();
    assertThat(body.at("/applicant/name").asText()).isEqualTo("Alice");
    assertThat(result.callbackUrls())
        .containsEntry(APPROVED, approved)
        .containsEntry(REJECTED, rejected)
        .containsEntry(ERROR, error);
    assertThat(result.sentRequest().firstQuery("callbackUrlForErrorCases")).isEqualTo(error);
  }

  @Test
  void theStoredRequestMasksTokens() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));
    String token =
        result
            .callbackUrls()
            .get(APPROVED)
            .substring(result.callbackUrls().get(APPROVED).lastIndexOf('/') + 1);

    String stored = f.services.invocation(result.invocationId()).orElseThrow().request();
    assertThat(stored).doesNotContain(token).contains("{token sha256:");
    assertThat(f.services.events(result.invocationId()))
        .extracting(EventRow::message)
        .noneMatch(m -> m.contains(token));
  }

  @Test
  void approvedCallbackReachesTheHandlerWithItsBodyAndCompletesTheInvocation() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED, REJECTED, ERROR));

    HttpResponse<String> answer = f.postJson(result.callbackUrls().get(APPROVED), APPROVED_BODY);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(RecordingHandler.SEEN)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.applicant()).isEqualTo("Alice");
              assertThat(s.key()).isEqualTo(APPROVED);
              assertThat(s.callback().body().get("approvedAmount").asInt()).isEqualTo(350000);
              assertThat(s.callback().callbackStatus()).isEqualTo(InvocationStatus.PENDING);
              assertThat(s.callback().submitTime()).isEqualTo(f.clock.instant());
              assertThat(s.callback().callbackTimeout())
                  .isEqualTo(f.clock.instant().plus(Duration.ofHours(24)));
              assertThat(s.callback().request().body().at("/applicant/name").asText())
                  .isEqualTo("Alice");
            });
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(result.invocationId()))
        .singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo(CallbackOutcome.HANDLED));
  }

  @Test
  void rejectedAndErrorCallbacksReachTheirKeys() {
    InvocationResult first = submit(new RecordingHandler("Bob", APPROVED, REJECTED, ERROR));
    InvocationResult second = submit(new RecordingHandler("Carol", APPROVED, REJECTED, ERROR));

    var rejected =
        f.postJson(first.callbackUrls().get(REJECTED), "{\"errorMessage\":\"income too low\"}");
    var error = f.send("POST", second.callbackUrls().get(ERROR), "application/json", ERROR_BODY);

    assertThat(rejected.statusCode()).isEqualTo(200);
    assertThat(error.statusCode()).isEqualTo(200);
    assertThat(RecordingHandler.SEEN)
        .extracting(s -> s.applicant() + ":" + s.key())
        .containsExactly("Bob:" + REJECTED, "Carol:" + ERROR);
    assertThat(RecordingHandler.SEEN.get(1).callback().body().get("errorMessage").asText())
        .isEqualTo("missing payslip");
  }

  @Test
  void aRepeatOfAHandledCallbackIsAnswered200WithoutRunningTheHandlerAgain() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));
    String url = result.callbackUrls().get(APPROVED);

    assertThat(f.postJson(url, APPROVED_BODY).statusCode()).isEqualTo(200);
    assertThat(f.postJson(url, APPROVED_BODY).statusCode()).isEqualTo(200);

    assertThat(RecordingHandler.SEEN).hasSize(1);
    assertThat(f.services.callbacks(result.invocationId())).hasSize(1);
  }

  @Test
  void aCallbackAfterTheDeadlineIsAnswered408AndNotHandled() {
    InvocationResult result =
        submit(new RecordingHandler("Alice", APPROVED), Duration.ofMinutes(30));
    f.clock.advance(Duration.ofMinutes(30));

    HttpResponse<String> answer = f.postJson(result.callbackUrls().get(APPROVED), APPROVED_BODY);

    assertThat(answer.statusCode()).isEqualTo(408);
    assertThat(RecordingHandler.SEEN).isEmpty();
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.TIMED_OUT);
    assertThat(f.services.callbacks(result.invocationId())).isEmpty();
  }

  @Test
  void anUnknownTokenIsAnswered404() {
    submit(new RecordingHandler("Alice", APPROVED));
    String base = f.services.publicBaseUrl() + "/callbacks/";

    assertThat(f.postJson(base + "A".repeat(43), APPROVED_BODY).statusCode()).isEqualTo(404);
    assertThat(f.postJson(base + "not-a-token", APPROVED_BODY).statusCode()).isEqualTo(404);
    assertThat(f.postJson(base, APPROVED_BODY).statusCode()).isEqualTo(404);
  }

  @Test
  void aKeyTheHandlerDoesNotHandleIsAnswered404WithTheKey() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));

    HttpResponse<String> answer =
        f.postJson(result.callbackUrls().get(REJECTED), "{\"errorMessage\":\"no\"}");

    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(answer.body()).contains("Callback not handled: " + REJECTED);
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void aFailingHandlerIsAnswered500AndARetryThatSucceedsIsAnswered200() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));
    RecordingHandler.FAILURES_LEFT.set(1);
    String url = result.callbackUrls().get(APPROVED);

    HttpResponse<String> first = f.postJson(url, APPROVED_BODY);

    assertThat(first.statusCode()).isEqualTo(500);
    assertThat(first.body()).doesNotContain("database is down");
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(result.invocationId()))
        .singleElement()
        .satisfies(c -> assertThat(c.error()).contains("database is down"));

    HttpResponse<String> retry = f.postJson(url, APPROVED_BODY);

    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(RecordingHandler.SEEN).hasSize(1);
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(result.invocationId()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.HANDLED);
              assertThat(c.attempts()).isEqualTo(2);
            });
  }

  @Test
  void aCallbackArrivingBeforeTheCalloutReturnedIsMatched() {
    AtomicReference<HttpResponse<String>> early = new AtomicReference<>();
    f.bank.beforeAnswer(
        r -> {
          String url = Json.readTrusted(r.body()).at("/callbackUrlForOutcomes/approved").asText();
          early.set(f.postJson(url, APPROVED_BODY));
        });

    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));

    assertThat(early.get().statusCode()).isEqualTo(200);
    assertThat(result.statusCode()).isEqualTo(201);
    var inv = f.services.invocation(result.invocationId()).orElseThrow();
    assertThat(inv.status()).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(inv.syncStatus()).isEqualTo(201);
    assertThat(RecordingHandler.SEEN).hasSize(1);
  }

  @Test
  void theCallbackIsCommittedBeforeTheHandlerRunsAndSoBeforeAny2xx() {
    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));
    AtomicReference<List<CallbackRow>> seenByAnotherConnection = new AtomicReference<>();
    RecordingHandler.DURING =
        () -> {
          try (JdbcStore other = JdbcStore.sqlite(dir.resolve("extsvc.db"))) {
            seenByAnotherConnection.set(other.callbacks(result.invocationId()));
          }
        };

    assertThat(f.postJson(result.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(200);

    assertThat(seenByAnotherConnection.get())
        .singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo(CallbackOutcome.RECEIVED));
  }

  @Test
  void theSweeperTimesOutPendingInvocationsAndTellsTheirHandlers() {
    InvocationResult soon = submit(new RecordingHandler("Alice", APPROVED), Duration.ofMinutes(5));
    InvocationResult later = submit(new RecordingHandler("Bob", APPROVED), Duration.ofHours(2));
    f.clock.advance(Duration.ofMinutes(6));

    assertThat(f.services.sweepNow()).isEqualTo(1);

    assertThat(f.services.invocation(soon.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.TIMED_OUT);
    assertThat(f.services.invocation(later.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
    assertThat(RecordingHandler.TIMED_OUT)
        .extracting(t -> t.invocationId())
        .containsExactly(soon.invocationId());
    assertThat(f.services.sweepNow()).isZero();
  }

  @Test
  void aCalloutAnsweredWithAnErrorCancelsTheInvocationWithTheReason() {
    f.bank.answer(503, "{\"message\":\"maintenance\"}");

    InvocationResult result = submit(new RecordingHandler("Alice", APPROVED));

    assertThat(result.statusCode()).isEqualTo(503);
    var inv = f.services.invocation(result.invocationId()).orElseThrow();
    assertThat(inv.status()).isEqualTo(InvocationStatus.CANCELLED);
    assertThat(inv.reason()).contains("503");
    assertThat(f.postJson(result.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aCalloutThatCannotConnectCancelsTheInvocationAndThrows() {
    f.close();
    f =
        new Fixture(dir.resolve("b"), b -> b.endpoint(Fixture.ACME, "http://127.0.0.1:1"))
            .withAcme();

    assertThatThrownBy(() -> submit(new RecordingHandler("Alice", APPROVED)))
        .isInstanceOf(CalloutException.class)
        .hasMessageContaining("failed")
        .satisfies(
            e -> {
              UUID id = ((CalloutException) e).invocationId();
              var inv = f.services.invocation(id).orElseThrow();
              assertThat(inv.status()).isEqualTo(InvocationStatus.CANCELLED);
              assertThat(inv.reason()).contains("failed");
            });
  }

  @Test
  void aCallbackTimeoutAboveTheMaximumIsRefusedBeforeAnythingGoesOut() {
    assertThatThrownBy(() -> submit(new RecordingHandler("Alice", APPROVED), Duration.ofHours(25)))
        .hasMessageContaining("exceeds the maximum");
    assertThat(f.bank.received()).isEmpty();
  }

  @Test
  void anInvocationWithoutAHandlerRecordsItsCallbackWhichCompletesIt() {
    RequestParts input =
        RequestParts.fromJson(Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Dan\"}}}"));
    InvocationResult result =
        f.services.invoke(Fixture.ACME, "SubmitApplication", input, null, null);

    assertThat(f.postJson(result.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(200);

    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(result.invocationId()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.key()).isEqualTo(APPROVED);
              assertThat(Json.readTrusted(c.body()).get("status").asText()).isEqualTo("approved");
            });
    assertThat(f.services.events(result.invocationId()))
        .extracting(EventRow::kind)
        .containsSubsequence(
            EventKind.SUBMITTED,
            EventKind.CALLBACK_URL,
            EventKind.CALLOUT,
            EventKind.CALLBACK_RECEIVED,
            EventKind.COMPLETED);
  }
}
