package dev.extsvc.runtime.store;

/** The life of an asynchronous invocation: PENDING, then exactly one final state. */
public enum InvocationStatus {
  PENDING,
  COMPLETED,
  TIMED_OUT,
  CANCELLED;

  public boolean isFinal() {
    return this != PENDING;
  }
}
