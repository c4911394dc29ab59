package dev.extsvc.mock;

import java.time.Duration;
import java.util.List;

/**
 * When a callback is sent again after a non-2xx answer or no answer at all, as a provider following
 * Standard Webhooks does: each entry is the wait before one attempt (the first usually zero), so
 * the list's length is the number of attempts; the series stops at the first 2xx. Every attempt
 * carries the same body and the same event id ({@value Scenario#EVENT_ID_HEADER}), so a receiver
 * tells a retry from a new event.
 *
 * @param waits the wait before each attempt, as written
 * @param scale a factor applied to every wait, so a test can compress hours into milliseconds
 */
public record RetrySchedule(List<Duration> waits, double scale) {
  /** Standard Webhooks' schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
  public static final List<Duration> STANDARD_WEBHOOKS =
      List.of(
          Duration.ZERO,
          Duration.ofSeconds(5),
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(2),
          Duration.ofHours(5),
          Duration.ofHours(10),
          Duration.ofHours(10));

  public RetrySchedule {
    waits = List.copyOf(waits);
    if (waits.isEmpty()) {
      throw new IllegalArgumentException("a retry schedule needs at least one attempt");
    }
    for (Duration w : waits) {
      if (w.isNegative()) {
        throw new IllegalArgumentException("a retry schedule's waits cannot be negative: " + w);
      }
    }
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("the retry scale must be a positive number, got " + scale);
    }
  }

  /** Standard Webhooks' schedule, every wait multiplied by {@code scale} (1 for real time). */
  public static RetrySchedule standardWebhooks(double scale) {
    return new RetrySchedule(STANDARD_WEBHOOKS, scale);
  }

  /**
   * Reads {@code standard} (Standard Webhooks' schedule) or comma-separated waits such as {@code
   * 0s,5s,5m}.
   */
  public static RetrySchedule parse(String text, double scale) {
    if (text.strip().equalsIgnoreCase("standard")) {
      return standardWebhooks(scale);
    }
    return new RetrySchedule(
        java.util.Arrays.stream(text.split(",")).map(Scenario::duration).toList(), scale);
  }

  /** How many attempts at most, the first included. */
  public int attempts() {
    return waits.size();
  }

  /** The scaled wait before attempt {@code n} (1 is the first). */
  Duration waitBefore(int n) {
    return Duration.ofNanos(Math.round(waits.get(n - 1).toNanos() * scale));
  }
}
