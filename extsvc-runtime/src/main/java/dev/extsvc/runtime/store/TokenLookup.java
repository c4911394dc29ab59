package dev.extsvc.runtime.store;

/** A callback token's row with its invocation: what the receiver asks first of every callback. */
public record TokenLookup(TokenRow token, InvocationRow invocation) {}
