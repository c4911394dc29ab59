package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.REJECTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.InvocationStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a token holder can make the store keep: a few callbacks after completion, a quota per
 * invocation, a quota over all callback bytes; the debug log bounded too.
 */
class StorageQuotasTest {
  RuntimeFixture f;
  InvocationResult submitted;

  @BeforeEach
  void start() {
    TestHandler.reset();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  void start(Consumer<ExternalServices.Builder> customizer) {
    f = new RuntimeFixture(customizer).withAcme();
    submitted = f.submit(new TestHandler("Ada", APPROVED));
  }

  static String rejected(int i) {
    return "{\"applicationNumber\":\"A-" + i + "\",\"errorMessage\":\"reason " + i + "\"}";
  }

  CallbackResponse postRejected(int i) {
    return f.post(submitted.callbackUrls().get(REJECTED), rejected(i));
  }

  @Test
  void fiveHundredDistinctBodiesAfterCompletionStoreAtMostTheBoundAndAreAnswered409() {
    start(b -> {});
    assertThat(f.approve(submitted).status()).isEqualTo(200);
    f.clock.advance(Duration.ofSeconds(1));

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      statuses.add(postRejected(i).status());
    }

    assertThat(statuses).containsOnly(409);
    assertThat(f.services.callbacks(submitted.invocationId()))
        .hasSize(1 + StorageQuotas.DEFAULT_CALLBACKS_AFTER_FINAL)
        .filteredOn(c -> c.key().equals(REJECTED))
        .allSatisfy(
            c -> {
              assertThat(c.outcome()).isEqualTo(CallbackOutcome.NOT_HANDLED);
              assertThat(c.answerCode()).isEqualTo(409);
            });
    assertThat(f.services.events(submitted.invocationId()))
        .as("the debug log is bounded too")
        .hasSizeLessThan(100);
    assertThat(f.messages(submitted.invocationId()))
        .anyMatch(m -> m.contains("further refusals and repeats of this invocation"));
    assertThat(TestHandler.RUNS).hasValue(1);
    assertThat(f.status(submitted.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void afterCompletionARepeatGetsItsStoredOutcome() {
    start(b -> {});
    assertThat(f.approve(submitted).status()).isEqualTo(200);
    assertThat(postRejected(1).status()).isEqualTo(409);

    for (int i = 0; i < 100; i++) {
      assertThat(f.approve(submitted).status()).isEqualTo(200);
      assertThat(postRejected(1).status()).isEqualTo(409);
    }

    assertThat(f.services.callbacks(submitted.invocationId())).hasSize(2);
    assertThat(f.services.events(submitted.invocationId())).hasSizeLessThan(70);
    assertThat(TestHandler.RUNS).hasValue(1);
  }

  @Test
  void afterCompletionARepeatOfACallbackThatWasNotHandledIsAnswered409NotRunAgain() {
    start(b -> {});
    assertThat(postRejected(1).status()).as("not handled while pending").isEqualTo(404);
    assertThat(f.approve(submitted).status()).isEqualTo(200);

    CallbackResponse repeat = postRejected(1);

    assertThat(repeat.status()).isEqualTo(409);
    assertThat(repeat.body()).contains("Invocation already completed");
    assertThat(f.services.callbacks(submitted.invocationId())).hasSize(2);
    assertThat(TestHandler.RUNS).hasValue(2);
  }

  @Test
  void aNewCallbackPastTheInvocationsQuotaIsAnswered507AndNotStored() {
    start(b -> b.storageQuotas(new StorageQuotas(3, 10, 0)));

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(postRejected(i).status());
    }
    CallbackResponse refused = postRejected(9);

    // the handler does not handle the rejection: the invocation stays PENDING
    assertThat(statuses).containsExactly(404, 404, 404, 507, 507);
    assertThat(refused.body()).contains("Callback quota of this invocation reached");
    assertThat(f.services.callbacks(submitted.invocationId())).hasSize(3);
    assertThat(postRejected(1).status())
        .as("a repeat of a stored one stores nothing")
        .isEqualTo(404);
    assertThat(f.messages(submitted.invocationId()))
        .anyMatch(m -> m.contains("refused, not stored: this invocation has 3 callbacks stored"));
    assertThat(f.approve(submitted).status())
        .as("the quota is reached for new bodies")
        .isEqualTo(507);
  }

  @Test
  void aNewCallbackPastTheGlobalByteQuotaIsAnswered507AndNotStored() {
    long one = rejected(1).length();
    start(b -> b.storageQuotas(new StorageQuotas(100, 10, 2 * one + 1)));

    assertThat(postRejected(1).status()).isEqualTo(404);
    assertThat(postRejected(2).status()).isEqualTo(404);
    CallbackResponse third = postRejected(3);

    assertThat(third.status()).isEqualTo(507);
    assertThat(third.body()).contains("Callback storage quota reached");
    assertThat(f.services.callbacks(submitted.invocationId())).hasSize(2);
    assertThat(f.messages(submitted.invocationId()))
        .anyMatch(m -> m.contains("the callback storage quota (" + (2 * one + 1) + " bytes)"));
  }

  @Test
  void quotasAreCheckedWhenMade() {
    assertThatThrownBy(() -> new StorageQuotas(0, 10, 0))
        .hasMessageContaining("callbacksPerInvocation must be at least 1");
    assertThatThrownBy(() -> new StorageQuotas(1, -1, 0))
        .hasMessageContaining("callbacksAfterFinal");
    assertThatThrownBy(() -> new StorageQuotas(1, 1, -1))
        .hasMessageContaining("totalCallbackBytes");
  }
}
