package dev.extsvc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The Acme spec of the examples, and what one of its invocations sends and receives. */
final class Specs {
  static final String ACME = "Acme Mortgages";
  static final String SUBMIT = "SubmitApplication";
  static final String APPROVED = "applicationOutcomeApproved";
  static final String APPROVED_BODY =
      "{\"applicationNumber\":\"A-1001\",\"status\":\"approved\",\"approvedAmount\":350000}";

  private Specs() {}

  /** The example document, found from the project root (scripts/bench) or from a module (tests). */
  static String acme() {
    for (Path p :
        List.of(
            Path.of("examples/acme-mortgages.json"), Path.of("../examples/acme-mortgages.json"))) {
      if (Files.exists(p)) {
        try {
          return Files.readString(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException(
        "examples/acme-mortgages.json not found from " + Path.of("").toAbsolutePath());
  }

  /** The request parts of the i-th application, about the size of a real one. */
  static String applicationJson(int i) {
    return "{\"body\":{\"applicant\":{\"name\":\"Applicant "
        + i
        + "\",\"address\":\""
        + i
        + " Main Street, Springfield\"}}}";
  }
}
