package dev.extsvc.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short version of the compatibility run's end-to-end part, on small documents written here:
 * each awaitable key's callback, sent by the mock, completes an invocation of the runtime.
 */
class EndToEndTest {
  static ServiceDefinition registered(String document) {
    Registration r = Registrar.defaults().register(document, null);
    assertThat(r.ok()).as(r.report().toString()).isTrue();
    return Objects.requireNonNull(r.service());
  }

  /**
   * A body pointer and a query parameter, the base path /v1 and a secured operation; the answer
   * carries a status the callback's enum does not allow.
   */
  static final String SHOP =
      """
      openapi: 3.0.3
      info: { title: Shop, version: "1" }
      servers: [ { url: "https://shop.example/v1" } ]
      components:
        securitySchemes:
          key: { type: apiKey, in: header, name: X-Api-Key }
      security: [ { key: [] } ]
      paths:
        /orders/{shop}:
          post:
            operationId: placeOrder
            parameters:
              - { name: shop, in: path, required: true, schema: { type: string } }
            requestBody:
              required: true
              content:
                application/json:
                  schema:
                    type: object
                    required: [item]
                    properties:
                      item: { type: string }
                      hooks: { type: object, properties: { done: { type: string } } }
            responses:
              "201":
                description: placed
                content:
                  application/json:
                    schema:
                      type: object
                      properties: { status: { type: string, enum: [received] }, id: { type: string } }
            callbacks:
              shipped:
                "{$request.body#/hooks/done}":
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [status, id, at]
                            properties:
                              status: { type: string, enum: [shipped, lost] }
                              id: { type: string }
                              at: { type: string, format: date-time }
                    responses: { "204": { description: ok } }
        /refunds:
          post:
            operationId: refund
            parameters:
              - { name: notify, in: query, required: false, schema: { type: string } }
            requestBody:
              content:
                application/json:
                  schema: { type: object, properties: { reference: { type: string } } }
            responses:
              "202": { description: accepted }
            callbacks:
              refunded:
                "{$request.query.notify}/refunds/{$request.body#/reference}":
                  put:
                    requestBody:
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [amount]
                            properties: { amount: { type: integer, minimum: 1 } }
                    responses: { "200": { description: ok } }
      """;

  /** OpenAPI 3.1: const members and type arrays. */
  static final String LEDGER =
      """
      openapi: 3.1.0
      info: { title: Ledger, version: "1" }
      paths:
        /entries:
          post:
            operationId: book
            requestBody:
              content:
                application/json:
                  schema: { type: object, properties: { callback: { type: string, format: uri } } }
            responses:
              "202": { description: booked }
            callbacks:
              booked:
                "{$request.body#/callback}":
                  post:
                    requestBody:
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [event, note]
                            properties:
                              event: { const: entry.booked }
                              note: { type: [string, "null"] }
                    responses: { "200": { description: ok } }
      """;

  /**
   * OpenAPI 3.0: a callback whose schema is a {@code oneOf} of component schemas with a {@code
   * discriminator} and its {@code mapping} (registration inlines the members); and a second key on
   * the same URL told apart by its payload.
   */
  static final String PAYMENTS =
      """
      openapi: 3.0.3
      info: { title: Payments, version: "1" }
      components:
        schemas:
          Card:
            type: object
            required: [method, last4]
            properties:
              method: { type: string }
              last4: { type: string, pattern: "^[0-9]{4}$", example: "4242" }
          Transfer:
            type: object
            required: [method, iban]
            properties:
              method: { type: string }
              iban: { type: string, minLength: 15 }
          Refund:
            type: object
            required: [refunded]
            properties: { refunded: { type: integer, minimum: 1 } }
      paths:
        /payments:
          post:
            operationId: pay
            requestBody:
              content:
                application/json:
                  schema: { type: object, properties: { webhook: { type: string } } }
            responses:
              "202": { description: accepted }
            callbacks:
              paid:
                "{$request.body#/webhook}":
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema:
                            oneOf:
                              - $ref: "#/components/schemas/Card"
                              - $ref: "#/components/schemas/Transfer"
                            discriminator:
                              propertyName: method
                              mapping:
                                card: "#/components/schemas/Card"
                                transfer: "#/components/schemas/Transfer"
                    responses: { "200": { description: ok } }
              refunded:
                "{$request.body#/webhook}":
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema: { $ref: "#/components/schemas/Refund" }
                    responses: { "200": { description: ok } }
      """;

  @Test
  @Timeout(120)
  void everyAwaitableKeyOfTheseDocumentsIsDeliveredEndToEnd() {
    for (String document : new String[] {SHOP, LEDGER, PAYMENTS}) {
      ServiceDefinition service = registered(document);

      EndToEnd.Result result = EndToEnd.run(service);

      assertThat(result.failures()).as(service.name()).isEmpty();
      assertThat(result.delivered()).as(service.name()).isEqualTo(result.awaitable());
    }
  }

  @Test
  @Timeout(120)
  void aKeyTheRuntimeRefusesIsReportedWithTheReason() {
    // the callback's schema asks for a value no payload of the mock can have (an empty enum is
    // allowed by JSON Schema and satisfiable by nothing): the run says which key and why
    String impossible =
        LEDGER.replace(
            "event: { const: entry.booked }",
            "event: { type: string, minLength: 3, maxLength: 2 }");
    ServiceDefinition service = registered(impossible);

    EndToEnd.Result result = EndToEnd.run(service);

    assertThat(result.awaitable()).isEqualTo(1);
    assertThat(result.delivered()).isZero();
    assertThat(result.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.operation()).isEqualTo("book");
              assertThat(f.key()).isEqualTo("booked");
              assertThat(f.reason()).startsWith("callback refused:").contains("/event");
            });
  }
}
