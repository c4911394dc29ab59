package dev.extsvc.runtime.store;

/** What became of one received callback. */
public enum CallbackOutcome {
  /** Stored, handler not run yet (or running). */
  RECEIVED,
  /** The handler ran and returned; answered 200. */
  HANDLED,
  /** The handler does not handle this key; answered 404. */
  NOT_HANDLED,
  /** The handler threw; answered 500. The sender may retry. */
  FAILED
}
