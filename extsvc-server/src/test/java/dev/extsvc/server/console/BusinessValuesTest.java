package dev.extsvc.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Registrar;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The rule that picks an invocation's business values for the console's list. */
class BusinessValuesTest {
  static final String ORDERS =
      """
      openapi: 3.0.3
      info: { title: Orders, version: "1" }
      paths:
        /orders:
          post:
            operationId: placeOrder
            parameters:
              - { name: cb, in: query, schema: { type: string } }
            requestBody:
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      orderKey: { type: string }
                      customerId: { type: string }
            responses: { "202": { description: accepted } }
            callbacks:
              shipped:
                "{$request.query.cb}?order={$request.body#/orderKey}":
                  post: { responses: { "200": { description: ok } } }
      """;

  static Operation placeOrder() {
    return Registrar.defaults()
        .register(ORDERS, null)
        .serviceIfOk()
        .orElseThrow()
        .operation("placeOrder")
        .orElseThrow();
  }

  static InvocationRow row(String request, String answer) {
    Instant now = Instant.parse("2026-03-01T10:00:00Z");
    return new InvocationRow(
        UUID.randomUUID(),
        "Orders",
        "placeOrder",
        true,
        InvocationStatus.PENDING,
        null,
        null,
        null,
        request,
        202,
        null,
        answer,
        now,
        now.plusSeconds(3600),
        null);
  }

  @Test
  void aValueTheCallbackUrlTemplateNamesComesFirstAndTheUrlPlaceNever() {
    var values =
        BusinessValues.of(
            placeOrder(),
            row(
                """
                {"query":{"cb":"https://hooks.example/callbacks/{token sha256:0a1b2c3d}"},
                 "body":{"orderKey":"K-77","customerId":"C-1"}}""",
                "{\"orderId\":\"O-9\"}"));

    assertThat(values).containsExactly(new BusinessValues.Value("orderKey", "K-77"));
  }

  @Test
  void otherwiseIdentifyingMembersOfTheAnswerThenOfTheRequestBody() {
    var values =
        BusinessValues.of(
            null,
            row(
                """
                {"body":{"customerId":"C-1","name":"Alice","applicant":{"taxNumber":"T-5"}}}""",
                "{\"applicationNumber\":\"A-1001\",\"status\":\"pending\"}"));

    assertThat(values)
        .containsExactly(
            new BusinessValues.Value("applicationNumber", "A-1001"),
            new BusinessValues.Value("customerId", "C-1"),
            new BusinessValues.Value("taxNumber", "T-5"));
  }

  @Test
  void urlsObjectsAndAnswersThatAreNotJsonAreNeverChosen() {
    var values =
        BusinessValues.of(
            null,
            row(
                """
                {"body":{"callbackId":"http://127.0.0.1/callbacks/{token sha256:01}",
                         "orderId":{"nested":1},"paid":"yes"}}""",
                "<html>busy</html>"));

    assertThat(values).isEmpty();
  }
}
