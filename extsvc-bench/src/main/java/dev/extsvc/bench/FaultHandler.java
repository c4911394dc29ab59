package dev.extsvc.bench;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.store.CallbackOutcome;
import java.util.List;

/**
 * The fault suite's handler, re-created from the store like any real one: records each run and its
 * effect in the {@link FaultJournal}, noting whether the store already said HANDLED (a run the
 * runtime must never start), then may halt the process mid-handler.
 */
final class FaultHandler implements CallbackHandler {
  private String applicant = "";

  FaultHandler() {}

  FaultHandler(String applicant) {
    this.applicant = applicant;
  }

  @Override
  public void onCallback(String key, List<ReceivedCallback> callbacks) {
    if (applicant.isEmpty()) {
      throw new IllegalStateException("handler state was not restored");
    }
    for (ReceivedCallback c : callbacks) {
      boolean alreadyHandled =
          FaultTarget.store().callbacks(c.invocationId()).stream()
              .anyMatch(row -> row.outcome() == CallbackOutcome.HANDLED);
      FaultTarget.journal().run(c.invocationId(), key, FaultTarget.incarnation(), alreadyHandled);
    }
    FaultTarget.reach(FaultPoint.MID_HANDLER);
  }
}
