package dev.extsvc.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.spec.Registrar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus run's correlation rules: read from a file shaped like extsvc.yaml's services, they
 * count the keys they make awaitable by correlation while today's counts stay those of the document
 * alone.
 */
class CorrelationRulesTest {
  @TempDir Path dir;

  static final String FAXES =
      """
      openapi: 3.0.3
      info: { title: Faxes, version: "1" }
      paths:
        /faxes:
          post:
            operationId: SendFax
            requestBody:
              content:
                application/json:
                  schema: { type: object, properties: { to: { type: string } } }
            responses:
              "202":
                description: queued
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        data: { type: object, properties: { id: { type: string }, webhook_url: { type: string } } }
            callbacks:
              fax.delivered:
                "{$response.body#/data/webhook_url}":
                  post:
                    requestBody:
                      content:
                        application/json:
                          schema: { type: object, properties: { payload: { type: object } } }
                    responses: { "200": { description: ok } }
              fax.failed:
                "https://hooks.example/one-address":
                  post:
                    requestBody:
                      content:
                        application/json:
                          schema: { type: object }
                    responses: { "200": { description: ok } }
              fax.url:
                "{$request.body#/callback}":
                  post:
                    responses: { "200": { description: ok } }
      """;

  Selection.Candidate candidate() throws IOException {
    Path doc = dir.resolve("faxes.yaml");
    Files.writeString(doc, FAXES);
    return new Selection.Candidate(doc, "faxes.yaml", Files.size(doc), true, true);
  }

  @Test
  void aRuleMakesAResponseBodyKeyAwaitableByCorrelationBesideTodaysCounts() throws IOException {
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(
        rules,
        """
        Faxes:
          correlation:
            SendFax:
              fax.delivered: {invocation: "$response.body#/data/id", callback: "$request.body#/payload/fax_id"}
        Someone Else:
          correlation:
            Other: {key: {invocation: "$request.body#/a", callback: "$request.body#/a"}}
        """);

    Outcome with =
        new DocumentCheck(Registrar.defaults(), false, CorrelationRules.read(rules))
            .run(candidate());
    Outcome without = new DocumentCheck(Registrar.defaults(), false).run(candidate());

    assertThat(with.correlatedKeys()).isEqualTo(1);
    assertThat(without.correlatedKeys()).isZero();
    assertThat(with.awaitableKeys()).isEqualTo(without.awaitableKeys()).isEqualTo(1);
    assertThat(with.warnings()).isEqualTo(without.warnings());
    assertThat(CompatibilityReport.totals(List.of(with)))
        .endsWith("awaitable by correlation with the configured rules 1");
  }

  @Test
  void aRuleThatIsNoCorrelationIsRefusedNamingItsPlace() throws IOException {
    Path rules = dir.resolve("bad.yaml");
    Files.writeString(
        rules,
        """
        Faxes:
          correlation:
            SendFax:
              fax.delivered: {invocation: "$url", callback: "$request.body#/payload/fax_id"}
        """);

    assertThatThrownBy(() -> CorrelationRules.read(rules))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Faxes/SendFax/fax.delivered");
  }

  @Test
  void theRulesShippedWithTheCorpusRunAreAllReadable() {
    assertThat(CorrelationRules.read(Path.of("correlations.yaml")))
        .extracting(r -> r.service())
        .contains("Telnyx API", "ContentGroove API", "Up API", "SMS API");
  }
}
