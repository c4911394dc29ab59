package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;

/**
 * One line of an invocation's debug log.
 *
 * @param id increasing in insertion order across the store
 * @param kind a short machine word: SUBMITTED, CALLOUT, CALLOUT_FAILED, CALLBACK_RECEIVED, CALLBACK_REJECTED,
 *     HANDLER_OK, HANDLER_FAILED, COMPLETED, TIMED_OUT, CANCELLED, ...
 */
public record EventRow(long id, UUID invocationId, Instant at, String kind, String message) {}
