package com.example.contacts;

import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.ServiceDefinition;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test's world: the mock bank on loopback playing Acme Mortgages, and an embedded PostgreSQL as
 * the application's database. The bank decides by applicant: "Rita" is rejected, "Eve" gets an
 * error, anyone else is approved.
 */
final class AcmeBank {
  private AcmeBank() {}

  static ServiceDefinition acme() {
    try (InputStream in = AcmeBank.class.getResourceAsStream("/acme-mortgages.json")) {
      String document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Registrar.defaults().register(document, null).serviceIfOk().orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static MockService start(Duration callbackDelay) {
    KeyRule byApplicant =
        (operation, request) ->
            request.body().contains("\"Rita\"")
                ? "applicationOutcomeRejected"
                : request.body().contains("\"Eve\"")
                    ? "applicationError"
                    : "applicationOutcomeApproved";
    // No retries: a 500 stays one delivery the test can see.
    return MockService.builder(acme())
        .callbackDelay(callbackDelay)
        .keyRule(byApplicant)
        .retries(0)
        .build()
        .start();
  }

  static EmbeddedPostgres database() {
    try {
      return EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The application's settings for this world; the public base URL comes from the server's port.
   */
  static Map<String, Object> properties(EmbeddedPostgres postgres, MockService bank) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"));
    p.put("spring.datasource.username", "postgres");
    p.put("spring.datasource.password", "");
    p.put("extsvc.public-base-url", "");
    p.put("extsvc.services.acme.endpoint", bank.baseUrl());
    p.put("extsvc.services.acme.allow-private-network", "true"); // the bank is on loopback
    return p;
  }
}
