package dev.extsvc.runtime.store;

import java.time.Instant;

/**
 * A runtime that shares the store: its id, host, version, when it started and when it last said it
 * was alive (by the store's clock when that is shared).
 */
public record NodeRow(
    String id, String host, String version, Instant startedAt, Instant heartbeatAt) {}
