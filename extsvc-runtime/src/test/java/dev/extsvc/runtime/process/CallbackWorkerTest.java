package dev.extsvc.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.HandlerTransaction;
import dev.extsvc.runtime.StoreStub;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Lease;
import dev.extsvc.runtime.store.NewEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Replay's refusals (what is answered before any handler runs) and recovery's claims. */
class CallbackWorkerTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

  final StoreStub stub = new StoreStub();
  CallbackWorker worker;

  @AfterEach
  void close() {
    if (worker != null) {
      worker.close(Duration.ofSeconds(1));
    }
  }

  @Test
  void replayOfAnUnknownCallbackIs404() {
    CallbackResponse answer = worker().replay(UUID.randomUUID());

    assertThat(answer.status()).isEqualTo(404);
    assertThat(stub.calls("replayCallback")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = CallbackOutcome.class,
      names = {"HANDLED", "RECEIVED"})
  void replayOfAHandledCallbackOrOneBeingHandledIs409(CallbackOutcome outcome) {
    CallbackRow row = callback(outcome);
    stub.answer("callback", a -> Optional.of(row));

    CallbackResponse answer = worker().replay(row.id());

    assertThat(answer.status()).isEqualTo(409);
    assertThat(answer.body()).contains(outcome.name());
    assertThat(stub.calls("replayCallback")).isEmpty();
  }

  @Test
  void replayThatTheStoreRefusesIs409AndRecordedAsARetry() {
    CallbackRow row = callback(CallbackOutcome.FAILED);
    stub.answer("callback", a -> Optional.of(row));

    CallbackResponse answer = worker().replay(row.id());

    assertThat(answer.status()).isEqualTo(409);
    assertThat(stub.calls("replayCallback"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(((NewEvent) c.args().get(2)).kind())
                    .isEqualTo(EventKind.CALLBACK_RETRY));
  }

  @Test
  void theWorkerDoesNotPollUntilStarted() throws InterruptedException {
    worker();
    Thread.sleep(100);
    assertThat(stub.calls("dueCallbacks")).isEmpty();

    worker.start();

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !stub.calls("dueCallbacks").isEmpty());
  }

  @Test
  void recoveryThatCannotClaimTheCallbackWritesNothing() {
    CallbackRow row = callback(CallbackOutcome.RECEIVED);
    recoverable(row);
    stub.answer("claim", a -> Optional.empty());

    assertThat(worker().poll()).isEqualTo(1);

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !worker.runningHere(row.id()) && !stub.calls("claim").isEmpty());
    assertThat(stub.calls("appendEvent")).isEmpty();
    assertThat(stub.calls("updateCallback")).isEmpty();
  }

  @Test
  void recoveryThatClaimsTheCallbackWritesOneRecoveredEventAfterTheClaim() {
    CallbackRow row = callback(CallbackOutcome.RECEIVED);
    recoverable(row);
    stub.answer("claim", a -> Optional.of(new Lease((UUID) a[0], (UUID) a[1], 7)));
    stub.answer("completeWithCallback", a -> true);

    assertThat(worker().poll()).isEqualTo(1);

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !stub.calls("completeWithCallback").isEmpty());
    assertThat(stub.calls("appendEvent"))
        .singleElement()
        .satisfies(
            c -> {
              NewEvent event = (NewEvent) c.args().get(0);
              assertThat(event.kind()).isEqualTo(EventKind.CALLBACK_RECOVERED);
              assertThat(event.message()).contains("node-a", "lease 7");
            });
    List<String> order =
        stub.calls().stream()
            .map(StoreStub.Call::method)
            .filter(m -> m.equals("claim") || m.equals("appendEvent"))
            .toList();
    assertThat(order).containsExactly("claim", "appendEvent");
  }

  @Test
  void aFinishedRunLeavesNoLeaseRenewalQueued() {
    CallbackRow row = callback(CallbackOutcome.RECEIVED);
    recoverable(row);
    stub.answer("claim", a -> Optional.of(new Lease((UUID) a[0], (UUID) a[1], 7)));
    stub.answer("completeWithCallback", a -> true);

    assertThat(worker().poll()).isEqualTo(1);

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> !worker.runningHere(row.id()) && !stub.calls("completeWithCallback").isEmpty());
    // its renewal was due a third of the lease (2 min) later, and is gone with the run
    assertThat(worker.queuedRenewals()).isZero();
  }

  /** A stored callback due for recovery, of a PENDING invocation without a handler. */
  private void recoverable(CallbackRow row) {
    stub.answer("dueCallbacks", a -> List.of(row));
    stub.answer("callback", a -> Optional.of(row));
    stub.answer(
        "invocation",
        a ->
            Optional.of(
                new InvocationRow(
                    row.invocationId(),
                    "acme",
                    "submit",
                    true,
                    InvocationStatus.PENDING,
                    null,
                    null,
                    null,
                    "{}",
                    null,
                    null,
                    null,
                    NOW.minusSeconds(60),
                    NOW.plus(Duration.ofHours(1)),
                    null)));
  }

  private CallbackWorker worker() {
    worker =
        new CallbackWorker(
            new CallbackWorker.Context(
                stub.store(),
                InstantSource.fixed(NOW),
                new Handlers(Set.of(), List.of(), Handlers.JACKSON_FACTORY),
                HandlerTransaction.NONE,
                new Acknowledgements(Map.of()),
                3,
                Duration.ofSeconds(1),
                Duration.ofMinutes(1),
                Duration.ofSeconds(5),
                Duration.ofMinutes(2),
                Duration.ofSeconds(30),
                Duration.ofMillis(10),
                "node-a"));
    return worker;
  }

  private static CallbackRow callback(CallbackOutcome outcome) {
    return new CallbackRow(
        UUID.randomUUID(),
        UUID.randomUUID(),
        "approved",
        NOW,
        "POST",
        "{}",
        "{}",
        "d",
        outcome,
        null,
        1,
        null);
  }
}
