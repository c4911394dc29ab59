package dev.extsvc.runtime.process;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.EventKind;

/**
 * How a stored callback ended without completing its invocation, and so what is recorded: the
 * callback's outcome and the kind of the event. Chosen where the ending is known, never read back
 * from a message.
 */
enum Settlement {
  /** The handler declined the callback ({@code CallbackNotHandledException}). */
  DECLINED(CallbackOutcome.NOT_HANDLED, EventKind.HANDLER_NOT_HANDLED),
  /**
   * The invocation was already final (completed, cancelled, timed out): the handler did not run.
   */
  REFUSED(CallbackOutcome.NOT_HANDLED, EventKind.CALLBACK_REJECTED),
  /** The handler failed, or could not be re-created. */
  FAILED(CallbackOutcome.FAILED, EventKind.HANDLER_FAILED);

  private final CallbackOutcome outcome;
  private final EventKind event;

  Settlement(CallbackOutcome outcome, EventKind event) {
    this.outcome = outcome;
    this.event = event;
  }

  CallbackOutcome outcome() {
    return outcome;
  }

  EventKind event() {
    return event;
  }
}
