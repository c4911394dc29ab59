package dev.extsvc.runtime;

import java.util.List;

/**
 * Receives the callbacks of one asynchronous invocation.
 *
 * <p>A handler survives restarts: the runtime stores its type and its state (its non-transient
 * fields, as JSON) with the invocation, and re-creates it when a callback comes, possibly days
 * later in another process. So keep in its fields what the callback needs (ids, names), and nothing
 * that cannot be written as JSON. Its type must be allowed: registered with the builder, or in an
 * allowed package.
 */
public interface CallbackHandler {

  /**
   * Handles callbacks of one key. Return normally to answer 200 and complete the invocation; throw
   * {@link CallbackNotHandledException} to answer 404; throw anything else to answer 500 and leave
   * the invocation PENDING so that the sender may retry.
   */
  void onCallback(String key, List<ReceivedCallback> callbacks) throws Exception;

  /**
   * Called once when the invocation times out without a handled callback. By default does nothing.
   */
  default void onTimeout(TimedOutInvocation invocation) throws Exception {}
}
