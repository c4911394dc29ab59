package dev.extsvc.store.jdbc;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** Rows for store tests: UUIDv7 ids in creation order, instants with microsecond detail. */
final class Fixtures {
  /** Microseconds matter: the store must keep them. */
  static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456Z");

  private static final AtomicLong CLOCK = new AtomicLong(T0.toEpochMilli());

  private Fixtures() {}

  private static final AtomicLong SEQUENCE = new AtomicLong();

  /**
   * A version 7 UUID of the submit time's millisecond, as the runtime makes them; within one
   * millisecond, ids sort by creation.
   */
  /** An instant as the stores write it: microseconds since the epoch. */
  static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
  }

  static UUID uuid7At(Instant submitTime) {
    long msb = (submitTime.toEpochMilli() << 16) | 0x7000L;
    long lsb =
        0x8000_0000_0000_0000L
            | (SEQUENCE.incrementAndGet() << 20)
            | ThreadLocalRandom.current().nextInt(1 << 20);
    return new UUID(msb, lsb);
  }

  /**
   * A version 7 UUID whose timestamp is one millisecond after the previous one, so ids sort by
   * creation.
   */
  static UUID uuid7() {
    long millis = CLOCK.incrementAndGet();
    var random = ThreadLocalRandom.current();
    long msb = (millis << 16) | 0x7000L | random.nextInt(0x1000);
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  static InvocationRow pending(
      String service, String operation, Instant submitTime, Duration timeout) {
    return new InvocationRow(
        uuid7At(submitTime),
        service,
        operation,
        true,
        InvocationStatus.PENDING,
        null,
        null,
        null,
        "{\"method\":\"POST\"}",
        null,
        null,
        null,
        submitTime,
        submitTime.plus(timeout),
        null);
  }

  /** The row with a handler of {@code type} whose state is {@code state}. */
  static InvocationRow withHandler(InvocationRow row, String type, String state) {
    return copy(row, row.status(), type, state, row.finishedAt());
  }

  static InvocationRow pending() {
    return pending("acme", "submitApplication", T0, Duration.ofHours(24));
  }

  static InvocationRow withStatus(InvocationRow row, InvocationStatus status) {
    return copy(
        row,
        status,
        row.handlerType(),
        row.handlerState(),
        status.isFinal() ? row.submitTime() : null);
  }

  private static InvocationRow copy(
      InvocationRow row,
      InvocationStatus status,
      @Nullable String handlerType,
      @Nullable String handlerState,
      @Nullable Instant finishedAt) {
    return new InvocationRow(
        row.id(),
        row.service(),
        row.operation(),
        row.async(),
        status,
        row.reason(),
        handlerType,
        handlerState,
        row.request(),
        row.syncStatus(),
        row.syncHeaders(),
        row.syncBody(),
        row.submitTime(),
        row.deadline(),
        finishedAt);
  }

  static CallbackRow callback(UUID invocationId, String dedupKey) {
    return new CallbackRow(
        uuid7(),
        invocationId,
        "approved",
        T0.plusSeconds(60),
        "POST",
        "{\"content-type\":\"application/json\"}",
        "{\"decision\":\"approved\"}",
        dedupKey,
        CallbackOutcome.RECEIVED,
        null,
        0,
        null);
  }

  static NewEvent event(UUID invocationId, String kind) {
    return new NewEvent(
        invocationId, T0, EventKind.valueOf(kind), kind.toLowerCase() + " happened");
  }
}
