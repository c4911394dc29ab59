package dev.extsvc.runtime.store;

import java.util.List;
import java.util.UUID;

/**
 * A handler run's hold on its invocation, as {@link Store#claim} gave it. The fence is the
 * invocation's claim counter after this claim: every later claim (or a dead node's leases being
 * released) raises it, so a write fenced with an older value is refused.
 *
 * @param callbackId the callback whose run took the lease (the store records it as the claim)
 * @param callbackIds the callbacks the run handles together, oldest first: the ones the fenced
 *     writes settle ({@code callbackId} alone unless the run took a batch, {@link #withBatch})
 */
public record Lease(UUID invocationId, UUID callbackId, long fence, List<UUID> callbackIds) {
  public Lease {
    callbackIds = List.copyOf(callbackIds);
    if (callbackIds.isEmpty()) {
      throw new IllegalArgumentException("a lease covers at least one callback");
    }
  }

  /** A lease for one callback's run. */
  public Lease(UUID invocationId, UUID callbackId, long fence) {
    this(invocationId, callbackId, fence, List.of(callbackId));
  }

  /**
   * The same lease covering a batch: the callbacks of the invocation that one handler run is given
   * together, oldest first. The claim stays {@code callbackId}'s.
   */
  public Lease withBatch(List<UUID> batch) {
    return new Lease(invocationId, callbackId, fence, batch);
  }
}
