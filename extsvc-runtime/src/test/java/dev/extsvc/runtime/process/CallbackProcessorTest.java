package dev.extsvc.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CallbackNotHandledException;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.HandlerTransaction;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.StoreStub;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Lease;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.testing.InMemoryStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outcome of a handler run picks what is recorded: the callback's outcome, its answer and the
 * event kind.
 */
class CallbackProcessorTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

  /** Declines with a message of its own choosing: the event must not depend on the text. */
  static final class Declining implements CallbackHandler {
    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {
      throw new CallbackNotHandledException(key);
    }
  }

  static final class Failing implements CallbackHandler {
    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {
      throw new IllegalStateException("Callback not handled: but this is a plain failure");
    }
  }

  static final class Succeeding implements CallbackHandler {
    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {}
  }

  final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopRenewals() {
    renewals.shutdownNow();
  }

  final StoreStub stub =
      new StoreStub()
          .answer("claim", a -> Optional.of(new Lease((UUID) a[0], (UUID) a[1], 1)))
          .answer("settleCallback", a -> true)
          .answer("updateCallback", a -> true)
          .answer("completeWithCallback", a -> true);

  @Test
  void aHandlerThatDeclinesRecordsNotHandledWithTheHandlersEvent() {
    CallbackResponse answer = process(Declining.class, InvocationStatus.PENDING);

    assertThat(answer.status()).isEqualTo(404);
    assertSettled(CallbackOutcome.NOT_HANDLED, 404, EventKind.HANDLER_NOT_HANDLED);
  }

  @Test
  void aFailureWhoseMessageLooksLikeADeclineIsStillAFailure() {
    CallbackResponse answer = process(Failing.class, InvocationStatus.PENDING);

    assertThat(answer.status()).isEqualTo(500);
    assertSettled(CallbackOutcome.FAILED, 500, EventKind.HANDLER_FAILED);
  }

  @Test
  void aCallbackOfACompletedInvocationIsRejectedWithoutRunningItsHandler() {
    CallbackResponse answer = process(Failing.class, InvocationStatus.COMPLETED);

    assertThat(answer.status()).isEqualTo(409);
    assertThat(answer.body()).contains("Invocation already completed");
    assertSettled(CallbackOutcome.NOT_HANDLED, 409, EventKind.CALLBACK_REJECTED);
    assertThat(stub.calls("claim")).isEmpty();
  }

  @Test
  void aCallbackOfATimedOutInvocationIsAnswered408AndRejected() {
    CallbackResponse answer = process(Succeeding.class, InvocationStatus.TIMED_OUT);

    assertThat(answer.status()).isEqualTo(408);
    assertSettled(CallbackOutcome.NOT_HANDLED, 408, EventKind.CALLBACK_REJECTED);
  }

  @Test
  void aHandledCallbackCompletesItsInvocationWithTheHandlersAndTheCompletionEvents() {
    CallbackResponse answer = process(Succeeding.class, InvocationStatus.PENDING);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(stub.calls("updateCallback")).isEmpty();
    assertThat(stub.calls("settleCallback")).isEmpty();
    assertThat(stub.calls("completeWithCallback"))
        .singleElement()
        .satisfies(
            c -> {
              @SuppressWarnings(
                  "unchecked") // the store's signature: completeWithCallback(Lease, Instant,
              // List<NewEvent>)
              List<NewEvent> events = (List<NewEvent>) c.args().get(2);
              assertThat(events)
                  .extracting(NewEvent::kind)
                  .containsExactly(EventKind.HANDLER_OK, EventKind.COMPLETED);
            });
  }

  /**
   * The race the cluster suite found: this node read the callback RECEIVED and its invocation
   * PENDING, then another node handled it and completed the invocation; the refusal this node then
   * writes ("already completed") must not turn the handled callback into NOT_HANDLED, and the
   * sender is told it was handled.
   */
  @Test
  void aRefusalNeverOverwritesACallbackAnotherNodeHasJustHandled() {
    InMemoryStore store = new InMemoryStore();
    InvocationRow inv = invocation(Succeeding.class, InvocationStatus.PENDING);
    CallbackRow read = receivedCallback(inv.id());
    store.createInvocation(inv, List.of(), List.of());
    store.insertCallback(
        read, new NewEvent(inv.id(), NOW, EventKind.CALLBACK_RECEIVED, "received, stored"));
    Lease elsewhere =
        store.claim(inv.id(), read.id(), "node-b", NOW, NOW.plusSeconds(60)).orElseThrow();
    assertThat(store.completeWithCallback(elsewhere, NOW, List.of())).isTrue();

    CallbackResponse answer =
        processor(store, Succeeding.class).process(read, false, () -> false, inv);

    assertThat(answer.status()).isEqualTo(200);
    CallbackRow now = store.callback(read.id()).orElseThrow();
    assertThat(now.outcome()).isEqualTo(CallbackOutcome.HANDLED);
    assertThat(now.answerCode()).isEqualTo(200);
    assertThat(store.invocation(inv.id()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
    assertThat(store.events(inv.id()))
        .extracting(e -> e.kind())
        .doesNotContain(EventKind.CALLBACK_REJECTED);
  }

  private CallbackProcessor processor(Store store, Class<? extends CallbackHandler> handler) {
    CallbackWorker.Context context =
        new CallbackWorker.Context(
            store,
            InstantSource.fixed(NOW),
            new Handlers(Set.of(handler), List.of(), Handlers.JACKSON_FACTORY),
            HandlerTransaction.NONE,
            new Acknowledgements(Map.of()),
            3,
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            Duration.ofSeconds(5),
            Duration.ofMinutes(2),
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            "node-a",
            (service, operation) -> Map.of());
    return new CallbackProcessor(context, renewals);
  }

  private static InvocationRow invocation(
      Class<? extends CallbackHandler> handler, InvocationStatus status) {
    return new InvocationRow(
        UUID.randomUUID(),
        "acme",
        "submit",
        true,
        status,
        null,
        handler.getName(),
        "{}",
        "{}",
        null,
        null,
        null,
        NOW.minusSeconds(60),
        NOW.plus(Duration.ofHours(1)),
        null);
  }

  private static CallbackRow receivedCallback(UUID invocationId) {
    return new CallbackRow(
        UUID.randomUUID(),
        invocationId,
        "approved",
        NOW,
        "POST",
        "{}",
        "{}",
        "d",
        CallbackOutcome.RECEIVED,
        null,
        0,
        null);
  }

  private CallbackResponse process(
      Class<? extends CallbackHandler> handler, InvocationStatus status) {
    UUID invocationId = UUID.randomUUID();
    InvocationRow inv =
        new InvocationRow(
            invocationId,
            "acme",
            "submit",
            true,
            status,
            null,
            handler.getName(),
            "{}",
            "{}",
            null,
            null,
            null,
            NOW.minusSeconds(60),
            NOW.plus(Duration.ofHours(1)),
            null);
    CallbackRow row =
        new CallbackRow(
            UUID.randomUUID(),
            invocationId,
            "approved",
            NOW,
            "POST",
            "{}",
            "{}",
            "d",
            CallbackOutcome.RECEIVED,
            null,
            0,
            null);
    stub.answer("invocation", a -> Optional.of(inv));
    CallbackWorker.Context context =
        new CallbackWorker.Context(
            stub.store(),
            InstantSource.fixed(NOW),
            new Handlers(Set.of(handler), List.of(), Handlers.JACKSON_FACTORY),
            HandlerTransaction.NONE,
            new Acknowledgements(Map.of()),
            3,
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            Duration.ofSeconds(5),
            Duration.ofMinutes(2),
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            "node-a",
            (service, operation) -> Map.of());
    ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor();
    try {
      return new CallbackProcessor(context, renewals).process(row, false, () -> false, inv);
    } finally {
      renewals.shutdownNow();
    }
  }

  /**
   * One settlement: unleased (a final invocation refuses the callback) or fenced by the run's
   * lease; both take (id or lease, outcome, code, error, event).
   */
  private void assertSettled(CallbackOutcome outcome, int code, EventKind kind) {
    var settled = new java.util.ArrayList<>(stub.calls("updateCallback"));
    settled.addAll(stub.calls("settleCallback"));
    assertThat(settled)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.args().get(1)).isEqualTo(outcome);
              assertThat(c.args().get(2)).isEqualTo(code);
              assertThat(((NewEvent) c.args().get(4)).kind()).isEqualTo(kind);
            });
  }
}
