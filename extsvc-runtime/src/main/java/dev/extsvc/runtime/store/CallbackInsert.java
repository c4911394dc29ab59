package dev.extsvc.runtime.store;

/**
 * The result of {@link Store#insertCallback}: either this callback was new and is now stored, or
 * one with the same dedup key already was (returned as stored).
 */
public record CallbackInsert(CallbackRow row, boolean duplicate) {}
