package com.example.mortgages;

import com.example.acme.AcmeMortgages.SubmitApplication;
import java.util.List;

/** Handles every callback of SubmitApplication: approved, rejected, and the error callback. */
public class OutcomeHandler extends SubmitApplication.Callback {
  /** State: stored as JSON with the invocation, restored for the callback. */
  String applicant;

  private OutcomeHandler() {} // the runtime re-creates handlers with a no-arg constructor

  public OutcomeHandler(String applicant) {
    this.applicant = applicant;
  }

  @Override
  public void applicationOutcomeApproved(
      List<SubmitApplication.ApplicationOutcomeApprovedCallback> callbacks) {
    for (var c : callbacks) {
      var decision = c.response().body();
      Decisions.RECEIVED.add(
          applicant
              + " approved "
              + decision.applicationNumber()
              + " "
              + decision.approvedAmount());
    }
  }

  @Override
  public void applicationOutcomeRejected(
      List<SubmitApplication.ApplicationOutcomeRejectedCallback> callbacks) {
    for (var c : callbacks) {
      Decisions.RECEIVED.add(applicant + " rejected " + c.response().body().applicationNumber());
    }
  }

  @Override
  public void applicationError(List<SubmitApplication.ApplicationErrorCallback> callbacks) {
    for (var c : callbacks) {
      Decisions.RECEIVED.add(
          applicant
              + " error "
              + c.applicationNumber()
              + ": "
              + c.response().body().errorMessage());
    }
  }
}
