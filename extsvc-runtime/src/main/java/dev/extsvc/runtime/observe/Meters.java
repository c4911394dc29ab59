package dev.extsvc.runtime.observe;

import dev.extsvc.runtime.store.InvocationStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runtime's meters, registered once and looked up by small keys afterwards (a map read per
 * event, no tag building). Tags are bounded: service, operation and callback key as registered,
 * final statuses, three-digit answer codes, handler outcomes, store method names; never a token, an
 * id or free text.
 *
 * <ul>
 *   <li>{@code extsvc.invocations.finished} (counter; service, operation, status): invocations that
 *       reached COMPLETED, TIMED_OUT or CANCELLED on this node;
 *   <li>{@code extsvc.callbacks} (counter; service, operation, key, code): callbacks answered, by
 *       answer code (service, operation and key "none" when the token is unknown);
 *   <li>{@code extsvc.callbacks.unknown.token} (counter; code): callbacks refused for an unknown or
 *       ill-formed token (404), or for too many of them from one client (429);
 *   <li>{@code extsvc.callback.delay} (timer with histogram; service, operation, key): from the
 *       callout to the callback's arrival, once per callback stored;
 *   <li>{@code extsvc.handler.duration} (timer with histogram; service, operation, key, outcome
 *       handled, not-handled or failed): handler runs, retries included;
 *   <li>the store's figures, read at most every few seconds and only when scraped ({@link
 *       StoreGauges}): {@code extsvc.invocations} (status), {@code extsvc.invocations.overdue},
 *       {@code extsvc.invocations.next.deadline}, {@code extsvc.sweeper.lag}, {@code
 *       extsvc.callbacks.queued}, {@code extsvc.callbacks.dead};
 *   <li>{@code extsvc.store.duration} (timer; method) and {@code extsvc.store.errors} (counter;
 *       method, error): every store call ({@link MeteredStore}).
 * </ul>
 */
public final class Meters {
  /** Meters that go nowhere: no registry was given. */
  public static final Meters NONE = new Meters(new CompositeMeterRegistry());

  /** Tag value when the callback's invocation (or key) is not known. */
  public static final String NONE_TAG = "none";

  private record Finished(String service, String operation, InvocationStatus status) {}

  private record Answered(String service, String operation, String key, int code) {}

  private record Key(String service, String operation, String key) {}

  private record Ran(String service, String operation, String key, String outcome) {}

  private final MeterRegistry registry;
  private final Map<Finished, Counter> finished = new ConcurrentHashMap<>();
  private final Map<Answered, Counter> answered = new ConcurrentHashMap<>();
  private final Map<Integer, Counter> unknownTokens = new ConcurrentHashMap<>();
  private final Map<Key, Timer> delays = new ConcurrentHashMap<>();
  private final Map<Ran, Timer> handlerRuns = new ConcurrentHashMap<>();

  public Meters(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Registers the gauges read from the store (cached, read only when scraped). */
  public void storeGauges(StoreGauges figures) {
    for (InvocationStatus status : InvocationStatus.values()) {
      Gauge.builder(
              "extsvc.invocations", figures, f -> f.recent().byStatus().getOrDefault(status, 0L))
          .tag("status", status.name())
          .description("Invocations in the store by status")
          .strongReference(true)
          .strongReference(true) // the figures live as long as the gauges
          .register(registry);
    }
    Gauge.builder("extsvc.invocations.overdue", figures, f -> f.recent().overdue())
        .description(
            "PENDING invocations past their deadline (counted up to "
                + StoreGauges.LIMIT
                + "): what the sweeper has still to time out")
        .strongReference(true) // the figures live as long as the gauges
        .register(registry);
    Gauge.builder("extsvc.invocations.next.deadline", figures, f -> f.recent().nextDeadline())
        .description(
            "The earliest deadline of a PENDING invocation, in seconds since the epoch (NaN when"
                + " none is pending)")
        .baseUnit("seconds")
        .strongReference(true) // the figures live as long as the gauges
        .register(registry);
    Gauge.builder("extsvc.sweeper.lag", figures, f -> f.recent().sweeperLag())
        .description(
            "How long past its deadline the most overdue PENDING invocation is (0 when none is)")
        .baseUnit("seconds")
        .strongReference(true) // the figures live as long as the gauges
        .register(registry);
    Gauge.builder("extsvc.callbacks.queued", figures, f -> f.recent().queued())
        .description(
            "Callbacks stored and waiting for their handler run: unfinished, or failed with a"
                + " retry scheduled (counted up to "
                + StoreGauges.LIMIT
                + ")")
        .strongReference(true) // the figures live as long as the gauges
        .register(registry);
    Gauge.builder("extsvc.callbacks.dead", figures, f -> f.recent().dead())
        .description(
            "Callbacks whose durable retries were given up, until replayed (counted up to "
                + StoreGauges.LIMIT
                + ")")
        .strongReference(true) // the figures live as long as the gauges
        .register(registry);
  }

  /** An invocation reached a final status here. */
  public void finished(String service, String operation, InvocationStatus status) {
    finished
        .computeIfAbsent(
            new Finished(service, operation, status),
            f ->
                Counter.builder("extsvc.invocations.finished")
                    .description("Invocations that reached a final status, by status")
                    .tags("service", service, "operation", operation, "status", status.name())
                    .register(registry))
        .increment();
  }

  /** A callback's sender was answered. */
  public void answered(String service, String operation, String key, int code) {
    answered
        .computeIfAbsent(
            new Answered(service, operation, key, code),
            a ->
                Counter.builder("extsvc.callbacks")
                    .description("Callbacks answered, by answer code")
                    .tags(
                        "service",
                        service,
                        "operation",
                        operation,
                        "key",
                        key,
                        "code",
                        Integer.toString(code))
                    .register(registry))
        .increment();
  }

  /** A callback was refused for its token: unknown or ill-formed (404), too many (429). */
  public void unknownToken(int code) {
    unknownTokens
        .computeIfAbsent(
            code,
            c ->
                Counter.builder("extsvc.callbacks.unknown.token")
                    .description("Callbacks refused for an unknown or ill-formed token")
                    .tag("code", Integer.toString(c))
                    .register(registry))
        .increment();
  }

  /** A new callback was stored this long after its invocation's callout. */
  public void callbackDelay(String service, String operation, String key, Duration delay) {
    delays
        .computeIfAbsent(
            new Key(service, operation, key),
            k ->
                Timer.builder("extsvc.callback.delay")
                    .description("From the callout to the callback's arrival")
                    .tags("service", service, "operation", operation, "key", key)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(10))
                    .maximumExpectedValue(Duration.ofDays(7))
                    .register(registry))
        .record(delay.isNegative() ? Duration.ZERO : delay);
  }

  /**
   * A handler ran.
   *
   * @param outcome handled, not-handled or failed
   */
  public void handlerRan(
      String service, String operation, String key, String outcome, long handlerNanos) {
    handlerRuns
        .computeIfAbsent(
            new Ran(service, operation, key, outcome),
            r ->
                Timer.builder("extsvc.handler.duration")
                    .description("Callback handler runs")
                    .tags(
                        "service", service, "operation", operation, "key", key, "outcome", outcome)
                    .publishPercentileHistogram()
                    .maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry))
        .record(Duration.ofNanos(handlerNanos));
  }
}
