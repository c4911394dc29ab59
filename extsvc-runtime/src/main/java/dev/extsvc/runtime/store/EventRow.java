package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;

/**
 * One line of an invocation's debug log.
 *
 * @param id increasing in insertion order across the store
 */
public record EventRow(long id, UUID invocationId, Instant at, EventKind kind, String message) {}
