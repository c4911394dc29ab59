package dev.extsvc.runtime.store;

import java.time.Instant;

/**
 * What happened in one minute, for the console's chart.
 *
 * @param minute the start of the minute (UTC)
 * @param submitted invocations submitted in it
 * @param callbacks callbacks received in it
 * @param failures of those callbacks, the ones whose handler failed (and still stands failed)
 */
public record ActivityMinute(Instant minute, long submitted, long callbacks, long failures) {}
