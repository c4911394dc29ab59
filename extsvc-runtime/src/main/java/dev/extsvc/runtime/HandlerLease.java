package dev.extsvc.runtime;

import dev.extsvc.runtime.process.HandlerLeases;
import java.util.UUID;

/**
 * The lease of the handler run on the calling thread: whether this run still certainly holds its
 * callback, so that a handler can stop before an effect that another run may be making at the same
 * time on another node. A run holds its lease while its renewals and its node's heartbeats go
 * through; once either has failed for long enough that another node may have taken the callback
 * over (a stopped or starved process, a store out of reach), {@link #held()} is false at once, the
 * handler's thread is interrupted, and whatever the run does no longer counts: its completion is
 * refused and it is recorded as superseded.
 *
 * <pre>{@code
 * HandlerLease lease = HandlerLease.current();
 * for (Item item : items) {
 *   if (!lease.held()) throw new InterruptedException("lease lost");
 *   ship(item);
 * }
 * }</pre>
 *
 * <p>{@link #held()} reads the monotonic clock and a flag: cheap enough before every effect. A stop
 * of the process between the check and the effect is still possible; a handler writing to the
 * store's database can close that gap by fencing its write with {@link #fence()} (write only while
 * {@code extsvc_invocation_state.claim_fence} equals it, with the row locked).
 */
public interface HandlerLease {

  /** Whether this run still certainly holds its lease. */
  boolean held();

  /**
   * The run's fence: the invocation's claim counter that its lease was taken with (0 outside a
   * run). Every later claim, and a dead node's leases being released, raise the counter.
   */
  long fence();

  /** The invocation whose callback this run handles (null outside a run). */
  @org.jspecify.annotations.Nullable
  UUID invocationId();

  /**
   * The lease of the run on the calling thread (capture it to use on threads of the handler's own);
   * outside a handler run, a lease that is always held, with fence 0.
   */
  static HandlerLease current() {
    return HandlerLeases.current();
  }
}
