package dev.extsvc.runtime.store;

/** What an event of an invocation's debug log records; stored by its name. */
public enum EventKind {
  /** The invocation was persisted, before its callout. */
  SUBMITTED,
  /** A callback URL was written into the outgoing request. */
  CALLBACK_URL,
  /** The callout was answered (or answered 401 and is tried once more). */
  CALLOUT,
  /** A callback passed the checks and was stored. */
  CALLBACK_RECEIVED,
  /** A callback was refused (bad method, body, signature, a final invocation, ...). */
  CALLBACK_REJECTED,
  /** A callback arrived after the callback timeout. */
  CALLBACK_LATE,
  /** A repeat of a stored callback, answered without running its handler. */
  CALLBACK_DUPLICATE,
  /** A stored callback runs its handler again (a sender's repeat, or a replay). */
  CALLBACK_RETRY,
  /** A callback stored but never finished (its process died) is handled now. */
  CALLBACK_RECOVERED,
  /** A callback without a handler was recorded for the caller. */
  CALLBACK_RECORDED,
  /** A durable callback's retries were given up. */
  CALLBACK_DEAD,
  /** The handler handled its callback. */
  HANDLER_OK,
  /** The handler declined the callback ({@code CallbackNotHandledException}). */
  HANDLER_NOT_HANDLED,
  /** The handler (or its timeout hook) failed. */
  HANDLER_FAILED,
  /** A synchronous handler outlasted its bound; the sender was answered 202. */
  HANDLER_SLOW,
  /**
   * A handler run lost its lease (its node was paused or taken for dead, and another run took the
   * callback over): its outcome is not recorded.
   */
  HANDLER_SUPERSEDED,
  /**
   * A PENDING invocation's deadline was moved later (an extension asked for, or a heartbeat
   * callback); the message gives the old and the new deadline and why.
   */
  DEADLINE_EXTENDED,
  /** The invocation completed. */
  COMPLETED,
  /** The invocation timed out. */
  TIMED_OUT,
  /** The invocation was cancelled. */
  CANCELLED
}
