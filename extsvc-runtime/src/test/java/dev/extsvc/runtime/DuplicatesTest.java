package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A repeated callback is answered as the first was and never runs a handled callback's handler
 * again; the store's unique (invocation, dedup key) decides what a repeat is, so concurrent copies
 * are caught too.
 */
class DuplicatesTest {
  RuntimeFixture f;
  InvocationResult r;
  String url;

  @BeforeEach
  void start() {
    TestHandler.reset();
    f = new RuntimeFixture().withAcme();
    r = f.submit(new TestHandler("Alice", APPROVED));
    url = r.callbackUrls().get(APPROVED);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void aRepeatOfAHandledCallbackIsAnswered200WithoutRunningTheHandler() {
    assertThat(f.post(url, APPROVED_BODY).status()).isEqualTo(200);
    f.clock.advance(Duration.ofMinutes(5));

    CallbackResponse repeat = f.post(url, APPROVED_BODY);

    assertThat(repeat.status()).isEqualTo(200);
    assertThat(TestHandler.RUNS).hasValue(1);
    assertThat(f.services.callbacks(r.invocationId()))
        .singleElement()
        .satisfies(c -> assertThat(c.attempts()).isEqualTo(1));
    assertThat(f.kinds(r.invocationId())).filteredOn("CALLBACK_RECEIVED"::equals).hasSize(1);
    assertThat(f.kinds(r.invocationId())).last().isEqualTo("CALLBACK_DUPLICATE");
  }

  @Test
  void aRepeatAfterARestartIsStillRecognised() {
    assertThat(f.post(url, APPROVED_BODY).status()).isEqualTo(200);
    f.restart(b -> {});

    assertThat(f.post(url, APPROVED_BODY).status()).isEqualTo(200);

    assertThat(TestHandler.RUNS).hasValue(1);
  }

  @Test
  void aDifferentBodyForTheSameKeyIsANewCallback() {
    assertThat(f.post(url, APPROVED_BODY).status()).isEqualTo(200);

    CallbackResponse other = f.post(url, APPROVED_BODY.replace("350000", "360000"));

    assertThat(other.status()).as("a new callback after completion").isEqualTo(409);
    assertThat(f.services.callbacks(r.invocationId())).hasSize(2);
    assertThat(TestHandler.RUNS).hasValue(1);
  }

  @Test
  void theSendersIdempotencyKeyDecidesWhatARepeatIsWhateverTheBody() {
    CallbackResponse first =
        f.services
            .receiver()
            .handle(
                Callbacks.to("POST", url)
                    .json(APPROVED_BODY)
                    .header("Idempotency-Key", "delivery-1")
                    .build());
    CallbackResponse sameKeyOtherBody =
        f.services
            .receiver()
            .handle(
                Callbacks.to("POST", url)
                    .json(APPROVED_BODY.replace("350000", "1"))
                    .header("Idempotency-Key", "delivery-1")
                    .build());

    assertThat(first.status()).isEqualTo(200);
    assertThat(sameKeyOtherBody.status()).isEqualTo(200);
    assertThat(f.services.callbacks(r.invocationId()))
        .singleElement()
        .satisfies(c -> assertThat(c.body()).isEqualTo(APPROVED_BODY));
    assertThat(TestHandler.RUNS).hasValue(1);
  }

  @Test
  void aWebhookIdAlsoNamesTheDelivery() {
    f.services
        .receiver()
        .handle(
            Callbacks.to("POST", url).json(APPROVED_BODY).header("webhook-id", "msg_9").build());
    f.services
        .receiver()
        .handle(
            Callbacks.to("POST", url)
                .json(APPROVED_BODY.replace("A-1001", "A-1002"))
                .header("webhook-id", "msg_9")
                .build());

    assertThat(f.services.callbacks(r.invocationId())).hasSize(1);
    assertThat(TestHandler.RUNS).hasValue(1);
  }

  @Test
  void aRepeatOfAFailedCallbackRunsTheHandlerAgain() {
    TestHandler.FAILURES_LEFT.set(2);

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      statuses.add(f.post(url, APPROVED_BODY).status());
    }

    assertThat(statuses).containsExactly(500, 500, 200);
    assertThat(TestHandler.RUNS).hasValue(3);
    assertThat(f.services.callbacks(r.invocationId()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.HANDLED);
              assertThat(c.attempts()).isEqualTo(3);
            });
  }

  @Test
  void fiftyConcurrentCopiesRunTheHandlerOnceAndAreAllAnswered200() throws Exception {
    int callsBefore = f.store.calls();
    // Hold the first run until the other copies are in (each asks the store a few times), so they
    // overlap.
    TestHandler.during =
        () -> {
          try {
            await()
                .pollDelay(Duration.ZERO)
                .atMost(Duration.ofSeconds(5))
                .until(() -> f.store.calls() > callsBefore + 150);
          } catch (org.awaitility.core.ConditionTimeoutException e) {
            // fewer copies overlapped than hoped; what is asserted below holds all the same
          }
        };
    CountDownLatch gate = new CountDownLatch(1);
    List<Future<CallbackResponse>> answers = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 50; i++) {
        answers.add(
            pool.submit(
                () -> {
                  gate.await();
                  return f.post(url, APPROVED_BODY);
                }));
      }
      gate.countDown();
      for (Future<CallbackResponse> answer : answers) {
        assertThat(answer.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
      }
    }

    assertThat(TestHandler.RUNS).hasValue(1);
    assertThat(f.services.callbacks(r.invocationId())).hasSize(1);
    assertThat(f.kinds(r.invocationId())).filteredOn("CALLBACK_RECEIVED"::equals).hasSize(1);
    assertThat(f.kinds(r.invocationId())).filteredOn("COMPLETED"::equals).hasSize(1);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }
}
