package dev.extsvc.spring;

import dev.extsvc.runtime.HandlerTransaction.HandlerCall;

/**
 * What the starter measures about callbacks; Micrometer's when it is present, nothing otherwise.
 */
interface CallbackObserver {
  CallbackObserver NONE = new CallbackObserver() {};

  /** A callback is about to reach its handler (each run, retries included). */
  default void callbackArrived(HandlerCall call) {}

  /**
   * @param outcome handled, not-handled or failed
   */
  default void handlerRan(HandlerCall call, String outcome, long handlerNanos) {}

  /** The endpoint answered a callback's sender. */
  default void answered(int status) {}
}
