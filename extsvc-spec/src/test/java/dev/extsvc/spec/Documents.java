package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** Helpers for tests that register documents written in the test. */
final class Documents {
  private Documents() {}

  /** The 1-based line of the first line containing {@code text}. */
  static int lineOf(String document, String text) {
    List<String> lines = document.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i + 1;
      }
    }
    throw new AssertionError("'" + text + "' is not in the document");
  }

  static Registration register(String document) {
    return Registrar.defaults().register(document, null);
  }

  /** The one finding whose message contains {@code text}. */
  static Diagnostic finding(Registration registration, String text) {
    List<Diagnostic> matching =
        registration.report().diagnostics().stream()
            .filter(d -> d.message().contains(text))
            .toList();
    assertThat(matching)
        .as("findings containing '%s' in %s", text, registration.report().diagnostics())
        .hasSize(1);
    return matching.get(0);
  }

  /**
   * A 3.0 document with one POST /orders operation whose body has a "hooks" object, plus the given
   * callbacks.
   */
  static String orders(String callbacks) {
    return """
        openapi: 3.0.3
        info:
          title: Orders
          version: "2"
        paths:
          /orders:
            post:
              operationId: placeOrder
              parameters:
                - name: notify
                  in: query
                  schema:
                    type: string
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        hooks:
                          type: object
                          properties:
                            done:
                              type: string
                            count:
                              type: integer
              responses:
                '202':
                  description: accepted
              callbacks:
        """
        + callbacks.indent(8);
  }
}
