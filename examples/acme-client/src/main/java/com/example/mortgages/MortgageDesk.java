package com.example.mortgages;

import com.example.acme.AcmeMortgages;
import com.example.acme.Contact;
import com.example.acme.SubmitApplicationRequestBody;
import dev.extsvc.runtime.ExternalServices;
import java.time.Duration;
import java.util.UUID;

/**
 * Submits mortgage applications to Acme through the generated client; the decisions come back as
 * callbacks.
 */
public final class MortgageDesk {
  private final AcmeMortgages acme;

  public MortgageDesk(ExternalServices services) {
    this.acme = new AcmeMortgages(services);
  }

  /**
   * Submits an application; Acme answers at once with its application number and decides later.
   *
   * @param handler receives the decision; stored with the invocation and re-created when the
   *     callback comes
   * @return the invocation, to follow the application by
   */
  public UUID submit(
      String applicant, String address, AcmeMortgages.SubmitApplication.Callback handler) {
    AcmeMortgages.SubmitApplication.Response answer =
        acme.submitApplication(
            new AcmeMortgages.SubmitApplication.Request(
                new SubmitApplicationRequestBody(new Contact(applicant, address), null)),
            handler,
            Duration.ofHours(4));
    return answer.invocationId();
  }
}
