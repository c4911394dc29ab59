package dev.extsvc.runtime.timeout;

import dev.extsvc.runtime.DeadlineExtensionException;
import dev.extsvc.runtime.DeadlineExtensionException.Reason;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves PENDING invocations' deadlines later: by an amount asked for ({@link #extend}), or to a
 * heartbeat callback's arrival plus its key's interval ({@link #heartbeat}). Never past the
 * service's maximum callback timeout from now, and each move an event with the old and new deadline
 * and why. Times are the runtime's clock (the database's on a shared store), like the deadlines the
 * sweeper compares them with.
 */
public final class Deadlines {
  private static final Logger log = LoggerFactory.getLogger(Deadlines.class);

  /** Moves that lost a race with another move are read again and tried this often. */
  private static final int ATTEMPTS = 5;

  /**
   * What moving deadlines needs, fixed by the builder.
   *
   * @param maxCallbackTimeout the longest a service's invocation may wait from now
   */
  public record Context(
      Store store, InstantSource clock, Function<String, Duration> maxCallbackTimeout) {}

  private final Store store;
  private final InstantSource clock;
  private final Function<String, Duration> maxWait;

  public Deadlines(Context context) {
    this.store = context.store();
    this.clock = context.clock();
    this.maxWait = context.maxCallbackTimeout();
  }

  /**
   * Moves a PENDING invocation's deadline later by {@code by}; returns the new deadline.
   *
   * @throws DeadlineExtensionException when there is no such invocation, it is final, {@code by} is
   *     not positive, or the new deadline would be further from now than the service's maximum
   *     callback timeout
   */
  public Instant extend(UUID invocationId, Duration by, String why) {
    if (by.isNegative() || by.isZero()) {
      throw new DeadlineExtensionException(
          Reason.INVALID, "an extension must be positive, was " + by);
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      InvocationRow inv = pending(invocationId);
      Instant now = clock.instant();
      Instant from = inv.deadline();
      Instant to = from.plus(by);
      Duration max = maxWait.apply(inv.service());
      if (to.isAfter(now.plus(max))) {
        throw new DeadlineExtensionException(
            Reason.INVALID,
            "extending invocation "
                + invocationId
                + " by "
                + by
                + " would move its deadline to "
                + to
                + ", more than the maximum callback timeout "
                + max
                + " of service "
                + inv.service()
                + " from now ("
                + now.plus(max)
                + ")");
      }
      if (move(inv, from, to, now, why)) {
        return to;
      }
    }
    throw new DeadlineExtensionException(
        Reason.INVALID, "the deadline of invocation " + invocationId + " kept moving; try again");
  }

  /**
   * A heartbeat callback of {@code key} arrived at {@code at}: the deadline moves to {@code at +
   * every} (bounded by the maximum callback timeout from then), unless it is later already. Returns
   * the deadline now in force, or null when the invocation is not PENDING any more.
   */
  public @Nullable Instant heartbeat(UUID invocationId, String key, Duration every, Instant at) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      InvocationRow inv = store.invocation(invocationId).orElse(null);
      if (inv == null || inv.status() != InvocationStatus.PENDING) {
        return null;
      }
      Duration max = maxWait.apply(inv.service());
      Duration step = every.compareTo(max) > 0 ? max : every;
      Instant to = at.plus(step);
      if (!to.isAfter(inv.deadline())) {
        return inv.deadline();
      }
      String why =
          "heartbeat callback "
              + key
              + " (x-extsvc-heartbeat "
              + every
              + (step.equals(every) ? "" : ", bounded by the maximum callback timeout " + max)
              + ")";
      if (move(inv, inv.deadline(), to, at, why)) {
        return to;
      }
    }
    log.warn(
        "Invocation {}: heartbeat of {} not applied, the deadline kept moving", invocationId, key);
    return null;
  }

  private boolean move(InvocationRow inv, Instant from, Instant to, Instant at, String why) {
    return store.moveDeadline(
        inv.id(),
        from,
        to,
        new NewEvent(
            inv.id(),
            at,
            EventKind.DEADLINE_EXTENDED,
            "Deadline moved from " + from + " to " + to + ": " + why));
  }

  private InvocationRow pending(UUID invocationId) {
    InvocationRow inv =
        store
            .invocation(invocationId)
            .orElseThrow(
                () ->
                    new DeadlineExtensionException(
                        Reason.UNKNOWN_INVOCATION, "no invocation " + invocationId));
    if (inv.status() != InvocationStatus.PENDING) {
      throw new DeadlineExtensionException(
          Reason.FINAL,
          "invocation "
              + invocationId
              + " is "
              + inv.status()
              + (inv.async() ? "" : " (synchronous)")
              + ": its deadline cannot be extended");
    }
    return inv;
  }
}
