package com.example.contacts;

import com.example.contacts.acme.AcmeMortgages;
import com.example.contacts.acme.Contact;
import com.example.contacts.acme.SubmitApplicationRequestBody;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Submits mortgage applications to Acme and keeps each one's outcome in the application's database.
 */
@Service
public class MortgageDesk {
  /** How long Acme may take to decide. */
  static final Duration DECISION_TIMEOUT = Duration.ofHours(4);

  private final AcmeMortgages acme;
  private final ObjectProvider<SubmitApplicationHandler> handlers;
  private final JdbcClient jdbc;

  MortgageDesk(
      AcmeMortgages acme, ObjectProvider<SubmitApplicationHandler> handlers, JdbcClient jdbc) {
    this.acme = acme;
    this.handlers = handlers;
    this.jdbc = jdbc;
  }

  /** Submits an application; returns the invocation id under which its decision will arrive. */
  public UUID submit(String applicant, String address) {
    var response =
        acme.submitApplication(
            new AcmeMortgages.SubmitApplication.Request(
                new SubmitApplicationRequestBody(new Contact(applicant, address), null)),
            handlers.getObject().forApplicant(applicant, address),
            DECISION_TIMEOUT);
    jdbc.sql(
            "INSERT INTO applications (invocation_id, applicant, status) VALUES (?, ?, 'SUBMITTED')")
        .params(response.invocationId().toString(), applicant)
        .update();
    return response.invocationId();
  }

  /** The application's status: SUBMITTED, APPROVED, REJECTED or ERROR. */
  public Optional<String> status(UUID invocationId) {
    return jdbc.sql("SELECT status FROM applications WHERE invocation_id = ?")
        .param(invocationId.toString())
        .query(String.class)
        .optional();
  }

  void record(UUID invocationId, String status, String detail) {
    jdbc.sql("UPDATE applications SET status = ?, detail = ? WHERE invocation_id = ?")
        .params(status, detail, invocationId.toString())
        .update();
  }
}
