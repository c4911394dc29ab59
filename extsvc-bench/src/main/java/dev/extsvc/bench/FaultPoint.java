package dev.extsvc.bench;

/**
 * Where on the callback path the fault suite kills the server. All but {@link #RANDOM} are reached
 * inside the server, which then halts at once ({@code Runtime.halt}: no shutdown hook, no finally
 * block, nothing flushed); {@link #RANDOM} is a {@code SIGKILL} from the driver at a random moment.
 */
enum FaultPoint {
  /** The callback passed its checks; nothing of it is stored yet. */
  BEFORE_STORE("before commit"),
  /** 0–3 ms into storing the callback: its commit may or may not have happened. */
  DURING_STORE("before commit"),
  /** The callback is committed (RECEIVED); its handler has not run and the sender has no answer. */
  AFTER_STORE("after commit, before the answer"),
  /** Inside the handler, after its effect is committed in its own database, before it returns. */
  MID_HANDLER("mid-handler"),
  /** The handler returned; the callback's completion (HANDLED + COMPLETED) is not committed yet. */
  BEFORE_COMPLETE("mid-handler"),
  /** The completion is committed; the sender has no answer yet. */
  AFTER_COMPLETE("after commit, before the answer"),
  /** SIGKILL from outside, wherever the server is. */
  RANDOM("random");

  /** The name for the point. */
  final String category;

  FaultPoint(String category) {
    this.category = category;
  }
}
