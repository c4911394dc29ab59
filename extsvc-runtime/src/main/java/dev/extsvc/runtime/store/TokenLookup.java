package dev.extsvc.runtime.store;

/**
 * A callback token's row with its invocation: what the receiver asks first of every callback.
 *
 * @param storedCallbacks how many callbacks of the invocation are stored, read with the token so
 *     that the per-invocation quota costs no read of its own; -1 when the store did not count them
 */
public record TokenLookup(TokenRow token, InvocationRow invocation, long storedCallbacks) {
  /** A lookup without the count: the receiver counts the invocation's callbacks itself. */
  public TokenLookup(TokenRow token, InvocationRow invocation) {
    this(token, invocation, -1);
  }
}
