package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED_BODY;
import static dev.extsvc.runtime.RuntimeFixture.REJECTED;
import static dev.extsvc.runtime.RuntimeFixture.REJECTED_BODY;
import static dev.extsvc.runtime.RuntimeFixture.tokenOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The framework-neutral receiver: a callback that passes every check reaches its handler and is
 * answered 200; one that fails a check is answered with the status that names the failure and
 * changes nothing but the debug log.
 */
class ReceivingTest {
  RuntimeFixture f;
  InvocationResult submitted;
  String approvedUrl;

  @BeforeEach
  void start() {
    TestHandler.reset();
    f = new RuntimeFixture().withAcme();
    submitted = f.submit(new TestHandler("Alice", APPROVED, REJECTED));
    approvedUrl = submitted.callbackUrls().get(APPROVED);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  UUID id() {
    return submitted.invocationId();
  }

  CallbackResponse send(Callbacks request) {
    return f.services.receiver().handle(request.build());
  }

  /**
   * A refused callback leaves the invocation PENDING, stores no callback, runs no handler, logs one
   * event.
   */
  void assertRefusedWithOnlyAnEvent(int eventsBefore, String kind) {
    assertThat(f.status(id())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(id())).isEmpty();
    assertThat(TestHandler.RUNS).hasValue(0);
    assertThat(f.kinds(id())).hasSize(eventsBefore + 1).last().isEqualTo(kind);
  }

  @Test
  void aValidCallbackReachesTheHandlerAsATypedListAndIsAnswered200() {
    CallbackResponse answer = f.post(approvedUrl, APPROVED_BODY);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).contains("Callback handled");
    assertThat(TestHandler.SEEN)
        .singleElement()
        .satisfies(
            seen -> {
              assertThat(seen.applicant()).isEqualTo("Alice");
              assertThat(seen.key()).isEqualTo(APPROVED);
              ReceivedCallback callback = seen.only();
              assertThat(callback.invocationId()).isEqualTo(id());
              assertThat(callback.key()).isEqualTo(APPROVED);
              assertThat(callback.method()).isEqualTo("POST");
              assertThat(callback.body().get("approvedAmount").asInt()).isEqualTo(350000);
              assertThat(callback.body().get("status").asText()).isEqualTo("approved");
              assertThat(callback.callbackStatus()).isEqualTo(InvocationStatus.PENDING);
              assertThat(callback.submitTime()).isEqualTo(f.clock.instant());
              assertThat(callback.callbackTimeout())
                  .isEqualTo(f.clock.instant().plus(Duration.ofHours(24)));
              assertThat(callback.receivedAt()).isEqualTo(f.clock.instant());
              assertThat(callback.request().body().at("/applicant/name").asText())
                  .isEqualTo("Alice");
              assertThat(callback.header("Content-Type")).isEqualTo("application/json");
            });
    assertThat(f.status(id())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(id()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.HANDLED);
              assertThat(c.answerCode()).isEqualTo(200);
              assertThat(c.attempts()).isEqualTo(1);
              assertThat(c.key()).isEqualTo(APPROVED);
              assertThat(c.body()).isEqualTo(APPROVED_BODY);
            });
  }

  @Test
  void eachKeysUrlReachesItsOwnKey() {
    CallbackResponse rejected = f.post(submitted.callbackUrls().get(REJECTED), REJECTED_BODY);

    assertThat(rejected.status()).isEqualTo(200);
    assertThat(TestHandler.SEEN)
        .singleElement()
        .satisfies(
            seen -> {
              assertThat(seen.key()).isEqualTo(REJECTED);
              assertThat(seen.only().body().get("errorMessage").asText())
                  .isEqualTo("income too low");
            });
  }

  @Test
  void aWellFormedTokenNobodyIssuedIsAnswered404() {
    int events = f.kinds(id()).size();

    CallbackResponse answer = send(Callbacks.atPath("POST", "A".repeat(43)).json(APPROVED_BODY));

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body()).contains("Unknown callback");
    assertThat(f.kinds(id())).hasSize(events);
    assertThat(TestHandler.RUNS).hasValue(0);
  }

  @Test
  void anIllFormedTokenIsAnswered404WithoutAskingTheStore() {
    int calls = f.store.calls();

    assertThat(send(Callbacks.atPath("POST", "not-a-token").json(APPROVED_BODY)).status())
        .isEqualTo(404);
    assertThat(send(Callbacks.atPath("POST", "").json(APPROVED_BODY)).status()).isEqualTo(404);
    assertThat(send(Callbacks.atPath("POST", "A".repeat(42)).json(APPROVED_BODY)).status())
        .isEqualTo(404);
    assertThat(send(Callbacks.atPath("POST", "A".repeat(44)).json(APPROVED_BODY)).status())
        .isEqualTo(404);
    assertThat(send(Callbacks.atPath("POST", "A".repeat(42) + "=").json(APPROVED_BODY)).status())
        .isEqualTo(404);

    assertThat(f.store.calls()).as("junk never reaches the store").isEqualTo(calls);
  }

  @Test
  void aTokenWithOneCharacterChangedIsUnknown() {
    String token = tokenOf(approvedUrl);
    String changed = (token.charAt(0) == 'A' ? 'B' : 'A') + token.substring(1);

    assertThat(send(Callbacks.atPath("POST", changed).json(APPROVED_BODY)).status()).isEqualTo(404);
    assertThat(f.status(id())).isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void aMethodOtherThanPostOrPutIsAnswered405WithTheAllowedOnes() {
    int events = f.kinds(id()).size();

    CallbackResponse answer = send(Callbacks.to("DELETE", approvedUrl));

    assertThat(answer.status()).isEqualTo(405);
    assertThat(answer.headers()).containsEntry("Allow", "POST, PUT");
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void aMethodTheCallbackDoesNotDeclareIsAnswered405WithTheDeclaredOne() {
    int events = f.kinds(id()).size();

    CallbackResponse answer = send(Callbacks.to("PUT", approvedUrl).json(APPROVED_BODY));

    assertThat(answer.status()).isEqualTo(405);
    assertThat(answer.headers()).containsEntry("Allow", "POST");
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void aLowerCaseMethodIsTheSameMethod() {
    assertThat(send(Callbacks.to("post", approvedUrl).json(APPROVED_BODY)).status()).isEqualTo(200);
    assertThat(TestHandler.SEEN)
        .singleElement()
        .satisfies(s -> assertThat(s.only().method()).isEqualTo("POST"));
  }

  @Test
  void aCallbackAtTheDeadlineIsAnswered408AndTimesTheInvocationOut() {
    f.clock.advance(Duration.ofHours(24));

    CallbackResponse answer = f.post(approvedUrl, APPROVED_BODY);

    assertThat(answer.status()).isEqualTo(408);
    assertThat(answer.body()).contains("Callback timeout reached");
    assertThat(TestHandler.RUNS).hasValue(0);
    assertThat(f.status(id())).isEqualTo(InvocationStatus.TIMED_OUT);
    assertThat(f.invocation(id()).finishedAt()).isEqualTo(f.clock.instant());
    assertThat(f.services.callbacks(id())).isEmpty();
    assertThat(f.kinds(id())).endsWith("TIMED_OUT", "CALLBACK_LATE");
  }

  @Test
  void aCallbackJustBeforeTheDeadlineIsStillOnTime() {
    f.clock.advance(Duration.ofHours(24).minusNanos(1000));

    assertThat(f.post(approvedUrl, APPROVED_BODY).status()).isEqualTo(200);
    assertThat(f.status(id())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void aSecondLateCallbackIsAnswered408WithoutASecondTimeout() {
    f.clock.advance(Duration.ofHours(25));
    assertThat(f.post(approvedUrl, APPROVED_BODY).status()).isEqualTo(408);

    assertThat(f.post(submitted.callbackUrls().get(REJECTED), REJECTED_BODY).status())
        .isEqualTo(408);

    assertThat(f.kinds(id())).filteredOn("TIMED_OUT"::equals).hasSize(1);
    assertThat(f.kinds(id())).filteredOn("CALLBACK_LATE"::equals).hasSize(2);
  }

  @Test
  void aBodyOverTheLimitIsAnswered413() {
    f.close();
    f = new RuntimeFixture(b -> b.limits(new Limits(1024, 64, 100))).withAcme();
    submitted = f.submit(new TestHandler("Alice", APPROVED));
    int events = f.kinds(id()).size();
    String big = "{\"applicationNumber\":\"" + "x".repeat(1024) + "\",\"status\":\"approved\"}";

    CallbackResponse answer = f.post(submitted.callbackUrls().get(APPROVED), big);

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.body()).contains("1024 bytes");
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void aBodyTheServerCutOffAtItsLimitIsAnswered413() {
    int events = f.kinds(id()).size();

    CallbackResponse answer =
        send(
            Callbacks.to("POST", approvedUrl)
                .header("Content-Type", "application/json")
                .tooLarge());

    assertThat(answer.status()).isEqualTo(413);
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void aBodyExactlyAtTheLimitIsAccepted() {
    f.close();
    f = new RuntimeFixture(b -> b.limits(new Limits(APPROVED_BODY.length(), 64, 100))).withAcme();
    submitted = f.submit(new TestHandler("Alice", APPROVED));

    assertThat(f.approve(submitted).status()).isEqualTo(200);
  }

  @Test
  void aBodyThatIsNotJsonIsAnswered415() {
    int events = f.kinds(id()).size();

    CallbackResponse answer =
        send(
            Callbacks.to("POST", approvedUrl)
                .header("Content-Type", "text/plain")
                .body(APPROVED_BODY.getBytes(StandardCharsets.UTF_8)));

    assertThat(answer.status()).isEqualTo(415);
    assertThat(answer.body()).contains("application/json");
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void aBodyWithoutAContentTypeIsAnswered415() {
    int events = f.kinds(id()).size();

    CallbackResponse answer =
        send(
            Callbacks.to("POST", approvedUrl).body(APPROVED_BODY.getBytes(StandardCharsets.UTF_8)));

    assertThat(answer.status()).isEqualTo(415);
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void jsonWithACharsetAndStructuredSuffixTypesAreJson() {
    CallbackResponse answer =
        send(
            Callbacks.to("POST", approvedUrl)
                .header("Content-Type", "Application/Problem+JSON; charset=utf-8")
                .body(APPROVED_BODY.getBytes(StandardCharsets.UTF_8)));

    assertThat(answer.status()).isEqualTo(200);
  }

  @Test
  void malformedJsonIsAnswered400WithLineAndColumn() {
    int events = f.kinds(id()).size();

    CallbackResponse answer =
        f.post(approvedUrl, "{\"applicationNumber\": \"A\",\n  \"status\": }");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("Malformed JSON at line 2, column 13");
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
    assertThat(f.messages(id()).getLast()).contains("line 2").endsWith("→ 400");
  }

  @Test
  void aBodyThatBreaksTheSchemaIsAnswered400WithTheJsonPointersOfTheProblems() {
    int events = f.kinds(id()).size();

    CallbackResponse answer =
        f.post(approvedUrl, "{\"applicationNumber\":\"A\",\"approvedAmount\":\"lots\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body())
        .contains("does not match the callback's schema")
        .contains("/approvedAmount")
        .contains("status");
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void duplicateMembersAreMalformed() {
    int events = f.kinds(id()).size();

    CallbackResponse answer =
        f.post(
            approvedUrl,
            "{\"status\":\"approved\",\"status\":\"rejected\",\"applicationNumber\":\"A\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("Duplicate field");
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void nestingDeeperThanTheLimitIsAnswered400() {
    int events = f.kinds(id()).size();

    CallbackResponse answer = f.post(approvedUrl, "[".repeat(10_000) + "]".repeat(10_000));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).containsIgnoringCase("nesting depth");
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void aNumberLongerThanTheLimitIsAnswered400() {
    CallbackResponse answer =
        f.post(
            approvedUrl,
            "{\"applicationNumber\":\"A\",\"status\":\"a\",\"approvedAmount\":1"
                + "0".repeat(500)
                + "}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).containsIgnoringCase("number");
    assertThat(f.services.callbacks(id())).isEmpty();
  }

  @Test
  void invalidUtf8IsAnswered400() {
    byte[] bytes = {'{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    int events = f.kinds(id()).size();

    CallbackResponse answer =
        send(
            Callbacks.to("POST", approvedUrl)
                .header("Content-Type", "application/json")
                .body(bytes));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("UTF-8");
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void anUnsuitableSuffixIsAnswered404() {
    int events = f.kinds(id()).size();

    CallbackResponse answer = f.post(approvedUrl + "/extra", APPROVED_BODY);

    assertThat(answer.status()).isEqualTo(404);
    assertRefusedWithOnlyAnEvent(events, "CALLBACK_REJECTED");
  }

  @Test
  void theStoreBeingDownIsAnswered503WithRetryAfterAndNothingElse() {
    f.store.unavailable(true);

    CallbackResponse answer = f.post(approvedUrl, APPROVED_BODY);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.headers()).containsKey("Retry-After");
    assertThat(TestHandler.RUNS).hasValue(0);
    f.store.unavailable(false);
    assertThat(f.services.callbacks(id())).isEmpty();
    assertThat(f.status(id())).isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void theSendersRetryAfterTheStoreCameBackIsHandled() {
    f.store.unavailable(true);
    assertThat(f.post(approvedUrl, APPROVED_BODY).status()).isEqualTo(503);
    f.store.unavailable(false);

    assertThat(f.post(approvedUrl, APPROVED_BODY).status()).isEqualTo(200);

    assertThat(TestHandler.SEEN).hasSize(1);
    assertThat(f.status(id())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void aStoreThatCanBeReadButNotWrittenIsAnswered503() {
    f.store.readOnly(true);

    CallbackResponse answer = f.post(approvedUrl, APPROVED_BODY);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(TestHandler.RUNS).hasValue(0);
    f.store.readOnly(false);
    assertThat(f.services.callbacks(id())).isEmpty();
  }

  @Test
  void afterCloseNewCallbacksAreAnswered503SoTheirSendersComeBackLater() {
    f.services.close();

    CallbackResponse answer = f.post(approvedUrl, APPROVED_BODY);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.headers()).containsKey("Retry-After");
    assertThat(answer.body()).contains("Shutting down");
    assertThat(f.status(id())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(id())).isEmpty();
    assertThat(TestHandler.RUNS).hasValue(0);
  }

  @Test
  void closingDrainsNewCallbacksGet503WhileARunningHandlerFinishes() throws Exception {
    InvocationResult second = f.submit(new TestHandler("Bob", APPROVED));
    java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    TestHandler.during =
        () -> {
          inside.countDown();
          ProcessingTest.awaitQuietly(release);
        };
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      var running = pool.submit(() -> f.post(approvedUrl, APPROVED_BODY));
      assertThat(inside.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      var closing = pool.submit(() -> f.services.close());

      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> f.approve(second).status() == 503);
      assertThat(closing.isDone()).as("close waits for the running handler").isFalse();
      release.countDown();

      assertThat(running.get(10, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
      closing.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(f.status(id())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.status(second.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(second.invocationId())).isEmpty();
  }

  @Test
  void aCallbackAfterCompletionIsAnswered409AndNeverReachesTheHandler() {
    assertThat(f.approve(submitted).status()).isEqualTo(200);
    f.clock.advance(Duration.ofSeconds(1));

    CallbackResponse late = f.post(submitted.callbackUrls().get(REJECTED), REJECTED_BODY);

    assertThat(late.status()).isEqualTo(409);
    assertThat(TestHandler.RUNS).hasValue(1);
    assertThat(f.status(id())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(id()))
        .extracting(c -> c.key() + ":" + c.outcome())
        .containsExactly(APPROVED + ":HANDLED", REJECTED + ":NOT_HANDLED");
    assertThat(f.messages(id()))
        .anyMatch(m -> m.contains("arrived after the invocation completed"));
  }

  @Test
  void aCallbackAfterCancelIsAnswered404AndNotStored() {
    assertThat(f.services.cancel(id(), "customer withdrew")).isTrue();

    CallbackResponse answer = f.post(approvedUrl, APPROVED_BODY);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(TestHandler.RUNS).hasValue(0);
    assertThat(f.services.callbacks(id())).isEmpty();
    assertThat(f.invocation(id()).reason()).isEqualTo("customer withdrew");
    assertThat(f.kinds(id())).endsWith("CANCELLED", "CALLBACK_REJECTED");
  }

  @Test
  void secretHeadersAreMaskedInTheStoredCallbackAndForTheHandler() {
    CallbackResponse answer =
        send(
            Callbacks.to("POST", approvedUrl)
                .json(APPROVED_BODY)
                .header("Authorization", "Bearer sender-secret-1")
                .header("Cookie", "session=sender-secret-2")
                .header("X-API-Key", "sender-secret-3")
                .header("Proxy-Authorization", "Basic sender-secret-4")
                .header("X-Request-Id", "req-77"));

    assertThat(answer.status()).isEqualTo(200);
    String stored = f.services.callbacks(id()).getFirst().headers();
    assertThat(stored)
        .doesNotContain("sender-secret")
        .contains("\"authorization\":\"****\"")
        .contains("\"cookie\":\"****\"")
        .contains("\"x-api-key\":\"****\"")
        .contains("\"proxy-authorization\":\"****\"")
        .contains("\"x-request-id\":\"req-77\"");
    ReceivedCallback seen = TestHandler.SEEN.getFirst().only();
    assertThat(seen.header("authorization")).isEqualTo("****");
    assertThat(seen.header("X-Request-Id")).isEqualTo("req-77");
  }

  @Test
  void noEventShowsTheToken() {
    String token = tokenOf(approvedUrl);
    f.post(approvedUrl, "{");
    f.post(approvedUrl + "/nope", APPROVED_BODY);
    f.post(approvedUrl, APPROVED_BODY);

    assertThat(f.messages(id())).isNotEmpty().noneMatch(m -> m.contains(token));
    assertThat(f.services.callbacks(id()))
        .allSatisfy(c -> assertThat(c.headers() + c.body()).doesNotContain(token));
  }

  @Test
  void aCallbackForAnInvocationWithoutAHandlerIsRecordedAndCompletesIt() {
    InvocationResult plain =
        f.services.invoke(
            RuntimeFixture.ACME,
            RuntimeFixture.SUBMIT,
            RuntimeFixture.application("Dan"),
            null,
            null);

    assertThat(f.approve(plain).status()).isEqualTo(200);

    assertThat(f.status(plain.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.callbacks(plain.invocationId()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.HANDLED);
              assertThat(c.body()).isEqualTo(APPROVED_BODY);
            });
    assertThat(f.kinds(plain.invocationId()))
        .containsSubsequence(
            "SUBMITTED",
            "CALLBACK_URL",
            "CALLOUT",
            "CALLBACK_RECEIVED",
            "CALLBACK_RECORDED",
            "COMPLETED");
    assertThat(TestHandler.RUNS).hasValue(0);
  }
}
