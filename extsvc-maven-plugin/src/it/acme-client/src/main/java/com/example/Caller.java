package com.example;

import com.example.acme.AcmeMortgages;
import com.example.acme.AcmeMortgages.SubmitApplication;
import com.example.acme.Contact;
import com.example.acme.SubmitApplicationRequestBody;
import java.time.Duration;
import java.util.List;

/** Uses the generated client, so that compiling this project proves it usable. */
public final class Caller {
  /** Keeps the applicant's name as its state; re-created by the runtime when the outcome comes. */
  static final class Outcome extends SubmitApplication.Callback {
    String applicant;

    private Outcome() {}

    Outcome(String applicant) {
      this.applicant = applicant;
    }

    @Override
    public void applicationOutcomeApproved(List<SubmitApplication.ApplicationOutcomeApprovedCallback> callbacks) {
      callbacks.forEach(c -> System.out.println(applicant + " approved: " + c.response().body()));
    }
  }

  static String submit(AcmeMortgages acme) {
    SubmitApplication.Response response = acme.submitApplication(
        new SubmitApplication.Request(new SubmitApplicationRequestBody(new Contact("Ann", null), null)),
        new Outcome("Ann"), Duration.ofHours(1));
    return response.code201() == null ? "?" : response.code201().applicationNumber();
  }

  private Caller() {}
}
