package dev.extsvc.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DatabaseClockTest {
  static final Instant DATABASE = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void itTellsTheDatabasesTimeWithoutAskingAgainAndAdvancesWithElapsedTime() throws Exception {
    AtomicInteger queries = new AtomicInteger();
    DatabaseClock clock =
        new DatabaseClock(
            () -> {
              queries.incrementAndGet();
              return DATABASE;
            });
    Instant first = clock.instant();
    Thread.sleep(50);
    Instant later = clock.instant();

    assertThat(first).isBetween(DATABASE, DATABASE.plusSeconds(1));
    assertThat(Duration.between(first, later))
        .isBetween(Duration.ofMillis(50), Duration.ofSeconds(5));
    assertThat(queries).as("read once, when anchored").hasValue(1);
  }

  @Test
  void anchoringAgainFollowsTheDatabaseWhateverTheWallClockSays() {
    AtomicReference<Instant> database = new AtomicReference<>(DATABASE);
    DatabaseClock clock = new DatabaseClock(database::get);
    database.set(DATABASE.plus(Duration.ofHours(1)));

    assertThat(clock.instant()).as("not read again yet").isBefore(DATABASE.plusSeconds(60));
    Duration roundTrip = clock.anchor();

    assertThat(roundTrip).isLessThan(DatabaseClock.SLOW_ROUND_TRIP);
    assertThat(clock.instant())
        .isBetween(DATABASE.plus(Duration.ofHours(1)), DATABASE.plus(Duration.ofMinutes(61)));
  }

  @Test
  void aMeasurementSlowerThanASecondIsNotTrusted() {
    AtomicReference<Instant> database = new AtomicReference<>(DATABASE);
    AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    DatabaseClock clock =
        new DatabaseClock(
            () -> {
              try {
                Thread.sleep(delay.get().toMillis());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return database.get();
            });
    database.set(DATABASE.plus(Duration.ofHours(1)));
    delay.set(Duration.ofMillis(1100));

    assertThat(clock.anchor()).isGreaterThanOrEqualTo(DatabaseClock.SLOW_ROUND_TRIP);
    assertThat(clock.instant()).isBefore(DATABASE.plusSeconds(60));
  }
}
