package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.CallbackRole;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The same shared-address progress cases with {@code answered} as a heartbeat key, and a heartbeat
 * that arrives before the synchronous answer: held, then delivered, it moves the deadline as one
 * that came straight to the invocation would, counted from its arrival.
 */
class HeartbeatCorrelationTest extends ProgressCorrelationTest {
  static final Duration EVERY = Duration.ofHours(2);

  @Override
  CallbackRole answeredRole() {
    return CallbackRole.heartbeat(EVERY);
  }

  @Test
  void aHeartbeatHeldBeforeTheSynchronousAnswerMovesTheDeadlineWhenItIsDelivered() {
    List<CallbackResponse> during = new CopyOnWriteArrayList<>();
    f.bank
        .answer(200, "{\"call_id\":\"v3:beat\"}")
        .beforeAnswer(r -> during.add(shared(answered("v3:beat", 1))));
    Instant arrival = f.clock.instant();

    UUID id = dial("R-3", Duration.ofMinutes(30));

    assertThat(during).extracting(CallbackResponse::status).containsExactly(202);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                f.services.callbacks(id).stream()
                    .anyMatch(c -> c.outcome() == CallbackOutcome.HANDLED));
    assertThat(f.invocation(id).deadline()).isEqualTo(arrival.plus(EVERY));
    assertThat(f.messages(id)).anyMatch(m -> m.contains("heartbeat callback answered"));

    f.clock.advance(Duration.ofMinutes(45)); // past the 30 minutes it was invoked with
    f.services.sweepNow();
    assertThat(f.status(id)).isEqualTo(InvocationStatus.PENDING);
  }
}
