package dev.extsvc.runtime;

/** When a callback's sender gets its answer. */
public enum Acknowledgement {
  /**
   * The handler runs before the answer, as in the seed: 200 when it succeeded, 404 or 500 when not.
   * A handler slower than the configured bound no longer holds the sender: the callback is kept,
   * the sender gets 202, and the handler finishes in the background.
   */
  SYNC,
  /**
   * The callback is committed and the sender gets 200 at once; the handler runs from the store's
   * durable queue, with retries (exponential backoff with jitter) up to a limit, then the callback
   * is dead until replayed.
   */
  DURABLE
}
