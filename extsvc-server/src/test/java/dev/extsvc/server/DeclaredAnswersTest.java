package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over the real callback route: the sender gets the answer code the callback operation declares,
 * and a refused callback is visible on the console's page of its invocation with the reason.
 */
class DeclaredAnswersTest {
  static final String SPEC =
      """
      openapi: 3.1.0
      info: {title: Payments, version: '1'}
      paths:
        /payments:
          post:
            operationId: pay
            parameters:
              - {name: accepted, in: query, required: true, schema: {type: string}}
              - {name: settled, in: query, required: true, schema: {type: string}}
            responses: {'201': {description: created}}
            callbacks:
              accepted:
                '{$request.query.accepted}':
                  post:
                    requestBody:
                      required: true
                      content: {application/json: {schema: {$ref: '#/components/schemas/Method'}}}
                    responses: {'202': {description: noted}, '4XX': {description: refused}, default: {description: other}}
              settled:
                '{$request.query.settled}':
                  post:
                    requestBody:
                      required: true
                      content: {application/json: {schema: {type: object, required: [id]}}}
                    responses: {'204': {description: done}, '409': {description: conflict}}
      components:
        schemas:
          Method:
            oneOf: [{$ref: '#/components/schemas/Card'}, {$ref: '#/components/schemas/Bank'}]
            discriminator: {propertyName: type}
          Card:
            type: object
            required: [type, number]
            properties: {type: {const: card}, number: {type: string}}
          Bank:
            type: object
            required: [type, iban]
            properties: {type: {const: bank}, iban: {type: string}}
      """;

  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f = new Fixture(dir);
    Registration r = f.services.register(SPEC, null);
    assertThat(r.ok()).as("%s", r.report()).isTrue();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  InvocationResult pay() {
    return f.services.invoke(
        Fixture.PAYMENTS,
        "pay",
        new RequestParts(),
        new RecordingHandler("Alice", "accepted", "settled"),
        null);
  }

  @Test
  void aCallbackDeclaring202AmongNon2xxAnswersIsAnswered202() {
    InvocationResult result = pay();

    HttpResponse<String> answer =
        f.postJson(
            result.callbackUrls().get("accepted"), "{\"type\":\"card\",\"number\":\"4111\"}");

    assertThat(answer.statusCode()).isEqualTo(202);
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void aCallbackDeclaring204IsAnswered204WithoutABody() {
    InvocationResult result = pay();

    HttpResponse<String> answer =
        f.postJson(result.callbackUrls().get("settled"), "{\"id\":\"p1\"}");

    assertThat(answer.statusCode()).isEqualTo(204);
    assertThat(answer.body()).isEmpty();
    assertThat(answer.headers().firstValue("Content-Type")).isEmpty();
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void aRefusedCallbackIsShownOnItsInvocationsPageWithTheReason() {
    InvocationResult result = pay();

    HttpResponse<String> refused =
        f.postJson(result.callbackUrls().get("accepted"), "{\"type\":\"cash\"}");
    HttpResponse<String> page =
        f.send(
            "GET",
            f.services.publicBaseUrl() + "/console/invocations/" + result.invocationId(),
            null,
            null);

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("1 refused")
        .contains("CALLBACK_REJECTED")
        .contains("does not match the callback")
        .contains("/type");
  }
}
