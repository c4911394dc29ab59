package dev.extsvc.runtime.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that tests move by hand instead of sleeping: give it to {@code
 * ExternalServices.builder().clock(...)}, then {@link #advance} it past a deadline and call {@code
 * sweepNow()}. Thread-safe. Starts at {@link #START}, a fixed instant with microseconds (as the
 * store keeps them), so runs are repeatable.
 */
public final class SettableClock implements InstantSource {
  /** Where a new clock starts: a fixed instant, microseconds included. */
  public static final Instant START = Instant.parse("2026-03-01T10:00:00.123456Z");

  private final AtomicReference<Instant> now;

  /** A clock at {@link #START}. */
  public SettableClock() {
    this(START);
  }

  /** A clock at the given instant. */
  public SettableClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /** Moves the clock to this instant (backwards too: a test of clock skew may want that). */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  /**
   * Moves the clock forward by this much and returns the new instant; a negative amount is refused.
   */
  public Instant advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException(
          "advance by a negative amount: " + amount + "; use set() to go back");
    }
    return now.updateAndGet(t -> t.plus(amount));
  }

  @Override
  public String toString() {
    return "SettableClock[" + now.get() + "]";
  }
}
