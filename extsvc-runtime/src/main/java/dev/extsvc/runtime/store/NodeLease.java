package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;

/**
 * A lease a node holds: the callback whose handler it runs on the invocation, until when (what the
 * console's nodes view shows a node holding).
 */
public record NodeLease(String nodeId, UUID invocationId, UUID callbackId, Instant until) {}
