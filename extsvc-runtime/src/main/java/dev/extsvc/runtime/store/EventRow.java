package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;

/**
 * One line of an invocation's debug log.
 *
 * @param id increasing in insertion order across the store; a TIMED_OUT event that a store reads
 *     from the invocation's state ({@link Store#timeOut}) has the id of the invocation's event
 *     before it (0 when none)
 */
public record EventRow(long id, UUID invocationId, Instant at, EventKind kind, String message) {}
