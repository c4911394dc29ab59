package dev.extsvc.runtime.store;

import java.util.UUID;

/**
 * A handler run's hold on its invocation, as {@link Store#claim} gave it. The fence is the
 * invocation's claim counter after this claim: every later claim (or a dead node's leases being
 * released) raises it, so a write fenced with an older value is refused.
 */
public record Lease(UUID invocationId, UUID callbackId, long fence) {}
