package dev.extsvc.spring;

import dev.extsvc.runtime.HandlerTransaction.HandlerCall;
import dev.extsvc.runtime.store.InvocationStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * extsvc's meters:
 *
 * <ul>
 *   <li>{@code extsvc.invocations} (gauge, tag status): invocations in the store by status; {@code
 *       extsvc.invocations.overdue}: PENDING ones past their deadline;
 *   <li>{@code extsvc.callbacks} (counter, tag code): callbacks answered by the endpoint, by answer
 *       code;
 *   <li>{@code extsvc.handler.duration} (timer, tags service, operation, key, outcome): handler
 *       runs;
 *   <li>{@code extsvc.callback.delay} (timer, tags service, operation, key): from the invocation's
 *       callout to the callback's arrival, per handler run.
 * </ul>
 */
final class MicrometerCallbackObserver implements CallbackObserver {
  private final MeterRegistry registry;

  MicrometerCallbackObserver(MeterRegistry registry, StoreFigures figures) {
    this.registry = registry;
    for (InvocationStatus status : InvocationStatus.values()) {
      Gauge.builder(
              "extsvc.invocations", figures, f -> f.recent().byStatus().getOrDefault(status, 0L))
          .tag("status", status.name())
          .description("Invocations in the store by status")
          .register(registry);
    }
    Gauge.builder("extsvc.invocations.overdue", figures, f -> f.recent().overdue())
        .description(
            "PENDING invocations past their deadline (counted up to "
                + StoreFigures.OVERDUE_LIMIT
                + ")")
        .register(registry);
  }

  @Override
  public void callbackArrived(HandlerCall call) {
    Timer.builder("extsvc.callback.delay")
        .description("From the callout to the callback's arrival")
        .tags("service", call.service(), "operation", call.operation(), "key", call.key())
        .register(registry)
        .record(Duration.between(call.submittedAt(), call.receivedAt()));
  }

  @Override
  public void handlerRan(HandlerCall call, String outcome, long handlerNanos) {
    Timer.builder("extsvc.handler.duration")
        .description("Callback handler runs")
        .tags(
            "service",
            call.service(),
            "operation",
            call.operation(),
            "key",
            call.key(),
            "outcome",
            outcome)
        .register(registry)
        .record(Duration.ofNanos(handlerNanos));
  }

  @Override
  public void answered(int status) {
    Counter.builder("extsvc.callbacks")
        .description("Callbacks answered, by answer code")
        .tag("code", Integer.toString(status))
        .register(registry)
        .increment();
  }
}
