package dev.extsvc.runtime.cluster;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's clock, read without a round trip: anchored to the database's time (measured halfway
 * through the query) and advanced with {@link System#nanoTime()}, so that a node whose wall clock
 * is off, or jumps (NTP, faketime), keeps the database's time. {@link #anchor()} measures again;
 * the node's membership does so with every heartbeat, so the drift of the two oscillators never
 * adds up.
 */
public final class DatabaseClock implements InstantSource {
  private static final Logger log = LoggerFactory.getLogger(DatabaseClock.class);

  /** A measurement slower than this says little about when the database read its clock. */
  static final Duration SLOW_ROUND_TRIP = Duration.ofSeconds(1);

  private record Anchor(Instant at, long nanos) {}

  private final Supplier<Instant> databaseTime;
  private volatile Anchor anchor;

  /**
   * Anchors at once.
   *
   * @param databaseTime reads the database's clock (a query)
   * @throws dev.extsvc.runtime.store.StoreUnavailableException when the database cannot answer
   */
  public DatabaseClock(Supplier<Instant> databaseTime) {
    this.databaseTime = databaseTime;
    this.anchor = measure();
  }

  /**
   * Measures the database's clock again and anchors to it, unless the round trip was too slow to
   * say when the database read it; returns the round trip.
   */
  public Duration anchor() {
    long before = System.nanoTime();
    Anchor measured = measure();
    Duration roundTrip = Duration.ofNanos(System.nanoTime() - before);
    if (roundTrip.compareTo(SLOW_ROUND_TRIP) < 0) {
      anchor = measured;
    } else {
      log.debug("Database clock not re-anchored: round trip {}", roundTrip);
    }
    return roundTrip;
  }

  private Anchor measure() {
    long before = System.nanoTime();
    Instant at = databaseTime.get();
    long after = System.nanoTime();
    return new Anchor(at, before + (after - before) / 2);
  }

  @Override
  public Instant instant() {
    Anchor a = anchor;
    return a.at().plusNanos(System.nanoTime() - a.nanos());
  }
}
