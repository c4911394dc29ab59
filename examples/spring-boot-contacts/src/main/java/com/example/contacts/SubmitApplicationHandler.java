package com.example.contacts;

import com.example.contacts.acme.AcmeMortgages;
import java.util.List;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.Scope;
import org.springframework.stereotype.Component;

/**
 * Acme's answer to one application: an approved applicant becomes a Contact. A bean, so it gets the
 * application's repositories; prototype-scoped, because each invocation's handler carries its own
 * state (the applicant), which extsvc stores with the invocation and reads back into a fresh bean
 * when Acme calls back — hours later, after restarts. Runs in a transaction with the callback's
 * completion: a failure leaves neither.
 */
@Component
@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
public class SubmitApplicationHandler extends AcmeMortgages.SubmitApplication.Callback {
  // State, stored as JSON with the invocation.
  private String applicant = "";
  private String address = "";
  // Dependencies: transient, so they are injected, never stored.
  private final transient Contacts contacts;
  private final transient MortgageDesk desk;

  SubmitApplicationHandler(Contacts contacts, MortgageDesk desk) {
    this.contacts = contacts;
    this.desk = desk;
  }

  SubmitApplicationHandler forApplicant(String name, String address) {
    this.applicant = name;
    this.address = address;
    return this;
  }

  @Override
  public void applicationOutcomeApproved(
      List<AcmeMortgages.SubmitApplication.ApplicationOutcomeApprovedCallback> callbacks) {
    for (var callback : callbacks) {
      var decision = callback.response().body();
      String number = decision == null ? "" : decision.applicationNumber();
      contacts.add(new Contacts.Contact(applicant, address, number));
      desk.record(callback.invocationId(), "APPROVED", number);
    }
  }

  @Override
  public void applicationOutcomeRejected(
      List<AcmeMortgages.SubmitApplication.ApplicationOutcomeRejectedCallback> callbacks) {
    callbacks.forEach(c -> desk.record(c.invocationId(), "REJECTED", null));
  }

  @Override
  public void applicationError(
      List<AcmeMortgages.SubmitApplication.ApplicationErrorCallback> callbacks) {
    for (var callback : callbacks) {
      var error = callback.response().body();
      desk.record(callback.invocationId(), "ERROR", error == null ? null : error.errorMessage());
    }
  }
}
