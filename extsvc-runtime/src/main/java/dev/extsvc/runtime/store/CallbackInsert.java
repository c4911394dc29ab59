package dev.extsvc.runtime.store;

import org.jspecify.annotations.Nullable;

/**
 * The result of {@link Store#insertCallback}: either this callback was new and is now stored, or
 * one with the same dedup key already was (returned as stored).
 *
 * @param lease from {@link Store#insertCallbackAndClaim}: the lease taken on the invocation in the
 *     same transaction as the insert; null when none was asked for or it was not free (the callback
 *     is stored all the same)
 */
public record CallbackInsert(CallbackRow row, boolean duplicate, @Nullable Lease lease) {
  public CallbackInsert(CallbackRow row, boolean duplicate) {
    this(row, duplicate, null);
  }
}
