package dev.extsvc.runtime;

import java.time.Instant;
import java.util.UUID;

/** What a handler learns when its invocation timed out. */
public record TimedOutInvocation(
    UUID invocationId,
    String service,
    String operation,
    Instant submitTime,
    Instant callbackTimeout) {}
