package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;

/** An event to append; the store assigns its id. */
public record NewEvent(UUID invocationId, Instant at, EventKind kind, String message) {}
