package dev.extsvc.runtime;

/**
 * Bounds on what callbacks may store, so that a token holder cannot fill the store.
 *
 * @param callbacksPerInvocation distinct callbacks stored for one invocation in all; a new one past
 *     it is answered 507 and not stored
 * @param callbacksAfterFinal distinct callbacks stored for an invocation after it completed (for
 *     the record; each is answered 409); past it they are answered 409 and not stored
 * @param totalCallbackBytes the bodies of all stored callbacks together, in bytes; a new callback
 *     past it is answered 507 and not stored; 0 for no bound
 */
public record StorageQuotas(
    int callbacksPerInvocation, int callbacksAfterFinal, long totalCallbackBytes) {
  public static final int DEFAULT_CALLBACKS_PER_INVOCATION = 100;
  public static final int DEFAULT_CALLBACKS_AFTER_FINAL = 10;

  /** 100 callbacks per invocation, 10 of them after completion, no global bound. */
  public static final StorageQuotas DEFAULTS =
      new StorageQuotas(DEFAULT_CALLBACKS_PER_INVOCATION, DEFAULT_CALLBACKS_AFTER_FINAL, 0);

  public StorageQuotas {
    if (callbacksPerInvocation < 1) {
      throw new IllegalArgumentException(
          "callbacksPerInvocation must be at least 1, was " + callbacksPerInvocation);
    }
    if (callbacksAfterFinal < 0) {
      throw new IllegalArgumentException(
          "callbacksAfterFinal must not be negative, was " + callbacksAfterFinal);
    }
    if (totalCallbackBytes < 0) {
      throw new IllegalArgumentException(
          "totalCallbackBytes must not be negative (0 for no bound), was " + totalCallbackBytes);
    }
  }
}
