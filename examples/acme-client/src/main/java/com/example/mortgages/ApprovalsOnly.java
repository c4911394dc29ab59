package com.example.mortgages;

import com.example.acme.AcmeMortgages.SubmitApplication;
import java.util.List;

/**
 * Handles approvals only. The callbacks it does not override are answered 404 "Callback not
 * handled: KEY", and the invocation stays pending, as a service may call back again.
 */
public class ApprovalsOnly extends SubmitApplication.Callback {
  String applicant;

  private ApprovalsOnly() {}

  public ApprovalsOnly(String applicant) {
    this.applicant = applicant;
  }

  @Override
  public void applicationOutcomeApproved(
      List<SubmitApplication.ApplicationOutcomeApprovedCallback> callbacks) {
    callbacks.forEach(
        c ->
            Decisions.RECEIVED.add(
                applicant + " approved " + c.response().body().applicationNumber()));
  }
}
