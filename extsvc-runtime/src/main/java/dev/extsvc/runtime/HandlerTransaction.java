package dev.extsvc.runtime;

import java.time.Instant;
import java.util.UUID;

/**
 * Runs a callback's handler and the recording of its completion as one unit of work. The default
 * runs one after the other; an application whose handler writes to the same database as the store
 * supplies one that runs both in its own transaction, so the handler's work and the callback's
 * completion commit together or not at all.
 *
 * <p>Contract: call {@code handler}, then, only when it returned normally, {@code completion};
 * commit both or neither; let any exception of either through unchanged (the runtime tells a
 * handler's failure, answered 404 or 500, from the store's, answered 503). The runtime holds a
 * lease on the invocation meanwhile, so exactly one handler run of a callback can commit.
 */
@FunctionalInterface
public interface HandlerTransaction {

  /**
   * Handler, then completion, with no transaction of its own: each store write commits by itself.
   */
  HandlerTransaction NONE =
      (call, handler, completion) -> {
        handler.run();
        completion.run();
      };

  void run(HandlerCall call, Step handler, Step completion) throws Exception;

  /** One step of the unit of work. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  /**
   * The handler run about to happen, for transaction names and metrics.
   *
   * @param submittedAt when the invocation was submitted (its callout started)
   * @param receivedAt when the callback arrived
   */
  record HandlerCall(
      UUID invocationId,
      String service,
      String operation,
      String key,
      String handlerType,
      Instant submittedAt,
      Instant receivedAt) {}
}
