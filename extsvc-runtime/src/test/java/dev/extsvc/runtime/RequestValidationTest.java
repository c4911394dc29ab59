package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.ACME;
import static dev.extsvc.runtime.RuntimeFixture.SUBMIT;
import static dev.extsvc.runtime.RuntimeFixture.application;
import static dev.extsvc.runtime.RuntimeFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.spec.RequestParts;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ExternalServices#validateRequest}: a request checked against its operation before it is
 * sent, each problem with a JSON pointer into the request's JSON form.
 */
class RequestValidationTest {
  static final String QUOTES =
      """
      openapi: 3.1.0
      info: { title: Quotes, version: "1" }
      paths:
        /quotes/{symbol}:
          get:
            operationId: getQuote
            parameters:
              - { name: symbol, in: path, required: true, schema: { type: string } }
              - { name: currency, in: query, required: true, schema: { type: string } }
              - { name: limit, in: query, schema: { type: integer, minimum: 1 } }
              - { name: X-Trace, in: header, required: true, schema: { type: string } }
            responses: { "200": { description: ok } }
      """;
  static final String SHIPMENTS =
      """
      openapi: 3.0.3
      info: { title: Shipments, version: "1" }
      paths:
        /shipments:
          post:
            operationId: ship
            requestBody:
              required: true
              content:
                application/json:
                  schema:
                    type: object
                    required: [parcel, notifyUrl]
                    properties:
                      parcel: { type: string }
                      notifyUrl: { type: string, format: uri }
            responses: { "202": { description: accepted } }
            callbacks:
              delivered:
                "{$request.body#/notifyUrl}":
                  post: { responses: { "200": { description: ok } } }
      """;

  RuntimeFixture f;

  @BeforeEach
  void start() {
    f = new RuntimeFixture().withAcme();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void aRequestAsTheSpecDeclaresItHasNoProblems() {
    assertThat(f.services.validateRequest(ACME, SUBMIT, application("Alice"))).isEmpty();
  }

  @Test
  void aBodyBreakingTheSchemaGetsProblemsAtPointersUnderBody() {
    List<RequestProblem> problems =
        f.services.validateRequest(
            ACME, SUBMIT, new RequestParts().body(json("{\"applicant\":{\"address\":7},\"x\":1}")));

    assertThat(problems)
        .anySatisfy(
            p -> {
              assertThat(p.pointer()).isEqualTo("/body/applicant");
              assertThat(p.message()).contains("name");
            })
        .anySatisfy(p -> assertThat(p.pointer()).isEqualTo("/body/applicant/address"));
    assertThat(problems.get(0).toString()).startsWith(problems.get(0).pointer() + ": ");
  }

  @Test
  void validatingSendsAndStoresNothing() {
    f.services.validateRequest(ACME, SUBMIT, new RequestParts().body(json("{\"applicant\":1}")));

    assertThat(f.bank.received()).isEmpty();
    assertThat(f.store.invocations(InvocationQuery.all(10))).isEmpty();
  }

  @Test
  void aMemberTheCallbackUrlIsWrittenToCountsAsPresent() {
    f.register(SHIPMENTS, null);

    assertThat(
            f.services.validateRequest(
                "Shipments", "ship", new RequestParts().body(json("{\"parcel\":\"P-1\"}"))))
        .isEmpty();
    assertThat(
            f.services.validateRequest(
                "Shipments", "ship", new RequestParts().body(json("{\"parcel\":2}"))))
        .extracting(RequestProblem::pointer)
        .containsExactly("/body/parcel");
  }

  @Test
  void aMissingRequiredBodyIsAProblem() {
    f.register(SHIPMENTS, null);

    assertThat(f.services.validateRequest("Shipments", "ship", new RequestParts()))
        .containsExactly(new RequestProblem("/body", "the operation requires a request body"));
  }

  @Test
  void missingRequiredParametersAndParametersBreakingTheirSchemaAreProblems() {
    f.register(QUOTES, null);

    List<RequestProblem> problems =
        f.services.validateRequest("Quotes", "getQuote", new RequestParts().query("limit", "0"));

    assertThat(problems)
        .extracting(RequestProblem::pointer)
        .containsExactlyInAnyOrder(
            "/path/symbol", "/query/currency", "/query/limit", "/headers/X-Trace");
    assertThat(problems)
        .filteredOn(p -> p.pointer().equals("/query/currency"))
        .extracting(RequestProblem::message)
        .containsExactly("required query parameter missing");
  }

  @Test
  void parameterTextIsReadAsItsSchemasType() {
    f.register(QUOTES, null);
    RequestParts ok =
        new RequestParts()
            .pathParam("symbol", "ACME")
            .query("currency", "EUR")
            .query("limit", "10")
            .header("x-trace", "t-1");
    RequestParts notANumber = ok.copy().query("limit", "ten");

    assertThat(f.services.validateRequest("Quotes", "getQuote", ok)).isEmpty();
    assertThat(f.services.validateRequest("Quotes", "getQuote", notANumber))
        .extracting(RequestProblem::pointer)
        .containsExactly("/query/limit");
  }

  @Test
  void aParameterValueCheckedAgainGetsTheSameAnswerEveryTime() {
    f.register(QUOTES, null);
    RequestParts base =
        new RequestParts()
            .pathParam("symbol", "ACME")
            .query("currency", "EUR")
            .header("x-trace", "t");
    RequestParts zero = base.copy().query("limit", "0");
    RequestParts ten = base.copy().query("limit", "10");

    for (RequestParts request : List.of(zero, zero, ten, ten, zero)) {
      List<RequestProblem> problems = f.services.validateRequest("Quotes", "getQuote", request);
      if (request == ten) {
        assertThat(problems).isEmpty();
      } else {
        assertThat(problems)
            .singleElement()
            .satisfies(
                p -> {
                  assertThat(p.pointer()).isEqualTo("/query/limit");
                  assertThat(p.message()).contains("1");
                });
      }
    }
  }

  @Test
  void anUnknownOperationIsRefusedByName() {
    assertThatThrownBy(() -> f.services.validateRequest(ACME, "Nope", new RequestParts()))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("unknown operation 'Nope'");
  }
}
