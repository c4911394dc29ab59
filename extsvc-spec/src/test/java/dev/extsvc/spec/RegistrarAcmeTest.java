package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RegistrarAcmeTest {
  private static final Path ACME_JSON = Path.of("../examples/acme-mortgages.json");
  private static final Path ACME_YAML = Path.of("src/test/resources/acme-mortgages.yaml");

  @Test
  void registersTheAcmeSpecWithOnlyTheWarningsThatItsCallbacksMayCarryNoData() {
    Registration registration = Registrar.defaults().register(ACME_JSON, null);

    assertThat(NoDataWarnings.besides(registration.report())).isEmpty();
    assertNoDataWarnings(registration.report());
    assertAcme(registration.service());
  }

  @Test
  void registersTheSameSpecWrittenInYaml() {
    Registration registration = Registrar.defaults().register(ACME_YAML, null);

    assertThat(NoDataWarnings.besides(registration.report())).isEmpty();
    assertNoDataWarnings(registration.report());
    assertAcme(registration.service());
  }

  /** Acme's three callbacks do not require their bodies: an empty one completes an invocation. */
  private static void assertNoDataWarnings(Report report) {
    assertThat(NoDataWarnings.only(report))
        .extracting(Diagnostic::severity, Diagnostic::pointer)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                Severity.WARNING,
                "/paths/~1applications/post/callbacks/applicationError/"
                    + "{$request.query.callbackUrlForErrorCases}/post"),
            org.assertj.core.groups.Tuple.tuple(
                Severity.WARNING,
                "/components/callbacks/ApplicationApproved/"
                    + "{$request.body#~1callbackUrlForOutcomes~1approved}/post"),
            org.assertj.core.groups.Tuple.tuple(
                Severity.WARNING,
                "/components/callbacks/ApplicationRejected/"
                    + "{$request.body#~1callbackUrlForOutcomes~1rejected}/post"));
    assertThat(NoDataWarnings.only(report))
        .allSatisfy(
            d ->
                assertThat(d.message())
                    .contains("does not require its request body")
                    .contains("may carry no data (an empty body)")
                    .contains("a handler must expect that"));
  }

  @Test
  void takesTheGivenNameOverTheTitle() {
    Registration registration = Registrar.defaults().register(ACME_JSON, "acme");

    assertThat(registration.service().name()).isEqualTo("acme");
  }

  private static void assertAcme(ServiceDefinition service) {
    assertThat(service.name()).isEqualTo("Acme Mortgages");
    assertThat(service.version()).isEqualTo("1.0");
    assertThat(service.openApiVersion()).isEqualTo("3.0.0");
    assertThat(service.servers()).containsExactly("/");
    assertThat(service.operations()).hasSize(1);

    Operation submit = service.operation("SubmitApplication").orElseThrow();
    assertThat(submit.async()).isTrue();
    assertThat(submit.method()).isEqualTo("POST");
    assertThat(submit.path()).isEqualTo("/applications");
    assertThat(submit.pointer()).isEqualTo("/paths/~1applications/post");
    assertThat(submit.parameter(ParameterLocation.QUERY, "callbackUrlForErrorCases")).isPresent();
    assertThat(submit.requestBody().mediaType()).isEqualTo("application/json");
    assertThat(submit.requestBody().schema().at("/properties/applicant/required/0").asText())
        .isEqualTo("name");
    assertThat(submit.responses()).containsOnlyKeys("201");
    assertThat(submit.callbackKeys())
        .containsExactly(
            "applicationOutcomeApproved", "applicationOutcomeRejected", "applicationError");

    CallbackDefinition approved = submit.callbacks().get(0);
    assertThat(approved.target())
        .isEqualTo(new InjectionTarget.Body("/callbackUrlForOutcomes/approved"));
    assertThat(approved.expression()).isEqualTo("{$request.body#/callbackUrlForOutcomes/approved}");
    assertThat(approved.method()).isEqualTo("POST");
    assertThat(approved.literalSuffix()).isEmpty();
    assertThat(approved.pointer())
        .isEqualTo(
            "/components/callbacks/ApplicationApproved/{$request.body#~1callbackUrlForOutcomes~1approved}/post");
    assertThat(approved.description()).isEqualTo("Application has been approved.");
    assertThat(approved.requestBody().schema().path("required").toString())
        .isEqualTo("[\"applicationNumber\",\"status\"]");
    assertThat(approved.requestBody().schema().toString()).doesNotContain("$ref");
    assertThat(approved.responses()).containsOnlyKeys("200");

    CallbackDefinition rejected = submit.callbacks().get(1);
    assertThat(rejected.target())
        .isEqualTo(new InjectionTarget.Body("/callbackUrlForOutcomes/rejected"));

    CallbackDefinition error = submit.callbacks().get(2);
    assertThat(error.target()).isEqualTo(new InjectionTarget.Query("callbackUrlForErrorCases"));
    assertThat(error.parameters())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.name()).isEqualTo("applicationNumber");
              assertThat(p.in()).isEqualTo(ParameterLocation.HEADER);
              assertThat(p.schema().path("type").asText()).isEqualTo("string");
            });
    assertThat(error.requestBody().schema().path("properties").has("errorMessage")).isTrue();
    assertThat(error.template().parts()).hasSize(1);
  }
}
