package dev.extsvc.runtime;

import dev.extsvc.runtime.receive.CallbackIntake;
import java.time.Duration;

/**
 * The callback endpoint, independent of any web framework: a web server passes it what follows its
 * callback path and sends back the answer. Answers 200 (handled), 400 (bad body), 404 (unknown, or
 * not handled), 405, 408 (timed out), 413, 415, 500 (handler failed) and 503 (store unavailable).
 * Nothing is answered 2xx before the callback is committed.
 */
public final class CallbackReceiver {
  private final CallbackIntake intake;

  CallbackReceiver(CallbackIntake intake) {
    this.intake = intake;
  }

  public Limits limits() {
    return intake.limits();
  }

  public CallbackResponse handle(CallbackRequest request) {
    return intake.handle(request);
  }

  /** Stops taking callbacks (503) and waits up to {@code patience} for those being answered. */
  void drain(Duration patience) {
    intake.drain(patience);
  }
}
