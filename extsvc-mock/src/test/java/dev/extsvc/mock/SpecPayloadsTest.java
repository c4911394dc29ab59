package dev.extsvc.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.support.PayloadValidator;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.ServiceDefinition;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The mock's callbacks are what each callback's own schema allows, checked with the validator the
 * runtime applies to them; values are copied from the request or the answer only where that schema
 * accepts them.
 */
class SpecPayloadsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A document whose one operation has one callback with this body schema (YAML, indented). */
  static String spec(String openapi, String schema, String components) {
    return """
        openapi: %s
        info: { title: Payloads, version: "1" }
        paths:
          /orders:
            post:
              operationId: order
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      properties: { callbackUrl: { type: string }, reference: { type: string } }
              responses:
                "202": { description: accepted }
              callbacks:
                done:
                  "{$request.body#/callbackUrl}":
                    post:
                      requestBody:
                        required: true
                        content:
                          application/json:
                            schema:
        %s
                      responses: { "200": { description: ok } }
        components:
          schemas:
        %s
        """
        .formatted(openapi, indent(schema, 22), indent(components, 4));
  }

  private static String indent(String text, int spaces) {
    String pad = " ".repeat(spaces);
    return text.isBlank()
        ? pad + "{}"
        : text.stripIndent().lines().map(l -> pad + l).reduce((a, b) -> a + "\n" + b).orElse("");
  }

  private CallbackDispatcher dispatcher;
  private CallbackSender sender;

  @AfterEach
  void close() {
    if (dispatcher != null) {
      dispatcher.close();
      sender.close();
    }
  }

  record Generated(JsonNode body, CallbackDefinition definition, ServiceDefinition service) {}

  Generated generate(String document, RequestParts request, JsonNode answer) {
    Registration r = Registrar.defaults().register(document, null);
    assertThat(r.ok()).as(r.report().toString()).isTrue();
    ServiceDefinition service = Objects.requireNonNull(r.service());
    CallbackDefinition def = service.operations().get(0).callbacks().get(0);
    sender =
        new CallbackSender(
            Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ZERO, InstantSource.system());
    dispatcher =
        new CallbackDispatcher(
            Duration.ZERO,
            KeyRule.roundRobin(),
            null,
            ExampleGenerator.forDocument(document),
            sender,
            d -> {},
            InstantSource.system());
    JsonNode body = dispatcher.body("done", def, request, answer);
    return new Generated(Objects.requireNonNull(body), def, service);
  }

  Generated generateValid(String document) {
    return generateValid(document, new RequestParts(), JSON.createObjectNode());
  }

  Generated generateValid(String document, RequestParts request, JsonNode answer) {
    Generated g = generate(document, request, answer);
    JsonNode schema = Objects.requireNonNull(g.definition().requestBody()).schema();
    assertThat(
            PayloadValidator.compile(Objects.requireNonNull(schema), g.service().openApiVersion())
                .validate(g.body().toString()))
        .as("%s for %s", g.body(), schema)
        .isEmpty();
    return g;
  }

  static final String ENUMS_AND_FORMATS =
      """
      type: object
      required: [status, kind, at, id, contact, amount]
      properties:
        status: { type: string, enum: [approved, declined] }
        kind: { const: decision }
        at: { type: string, format: date-time }
        id: { type: string, format: uuid }
        contact: { type: string, format: email }
        amount: { type: integer, minimum: 100, maximum: 500 }
        note: { type: [string, "null"], minLength: 12 }
      """;

  @Test
  void enumsConstsFormatsAndRequiredMembersMakeAValidPayloadIn31() {
    JsonNode body = generateValid(spec("3.1.0", ENUMS_AND_FORMATS, "")).body();

    assertThat(body.path("status").asText()).isEqualTo("approved");
    assertThat(body.path("kind").asText()).isEqualTo("decision");
    assertThat(body.path("amount").asInt()).isEqualTo(100);
  }

  @Test
  void theSameSchemaMakesAValidPayloadIn30() {
    String schema =
        ENUMS_AND_FORMATS
            .replace("{ const: decision }", "{ type: string, enum: [decision] }")
            .replace(
                "{ type: [string, \"null\"], minLength: 12 }",
                "{ type: string, nullable: true, minLength: 12 }");
    generateValid(spec("3.0.3", schema, ""));
  }

  @Test
  void aDiscriminatorWithAMappingGetsTheMappingsValueForTheMemberChosen() {
    String schema =
        """
        oneOf:
          - $ref: '#/components/schemas/Card'
          - $ref: '#/components/schemas/Transfer'
        discriminator:
          propertyName: type
          mapping:
            card: '#/components/schemas/Card'
            transfer: '#/components/schemas/Transfer'
        """;
    String components =
        """
        Card:
          type: object
          required: [type, last4]
          properties: { type: { type: string }, last4: { type: string, pattern: '^[0-9]{4}$', example: '4242' } }
        Transfer:
          type: object
          required: [type, iban]
          properties: { type: { type: string }, iban: { type: string } }
        """;

    JsonNode body = generateValid(spec("3.0.3", schema, components)).body();

    assertThat(body.path("type").asText()).isEqualTo("card");
    assertThat(body.has("iban")).isFalse();
    assertThat(body.path("last4").asText()).isEqualTo("4242");
  }

  @Test
  void aDiscriminatorWhoseMembersHoldAConstGetsThatConst() {
    String schema =
        """
        oneOf:
          - { type: object, required: [type, last4], properties: { type: { const: Card }, last4: { type: string } } }
          - { type: object, required: [type, iban], properties: { type: { const: Transfer }, iban: { type: string } } }
        discriminator: { propertyName: type }
        """;

    JsonNode body =
        generate(spec("3.1.0", schema, ""), new RequestParts(), JSON.createObjectNode()).body();

    assertThat(body.path("type").asText()).isEqualTo("Card");
    assertThat(body.has("last4")).isTrue();
    assertThat(body.has("iban")).isFalse();
  }

  @Test
  void aValueIsCopiedFromTheAnswerOrRequestOnlyWhereTheCallbacksSchemaAcceptsIt() throws Exception {
    String schema =
        """
        type: object
        required: [status, applicationNumber, reference]
        properties:
          status: { type: string, enum: [approved, declined] }
          applicationNumber: { type: string }
          reference: { type: string, minLength: 3 }
          amount: { type: integer }
        """;
    RequestParts request =
        new RequestParts().body(JSON.readTree("{\"reference\":\"R-9\",\"amount\":\"many\"}"));
    JsonNode answer = JSON.readTree("{\"status\":\"received\",\"applicationNumber\":\"A-17\"}");

    JsonNode body = generateValid(spec("3.1.0", schema, ""), request, answer).body();

    assertThat(body.path("status").asText())
        .as("not in the enum: not copied")
        .isEqualTo("approved");
    assertThat(body.path("applicationNumber").asText()).isEqualTo("A-17");
    assertThat(body.path("reference").asText()).isEqualTo("R-9");
    assertThat(body.path("amount").isIntegralNumber()).as("a string is no integer").isTrue();
  }

  @Test
  void theSpecsExampleIsSentWhenItGivesOne() {
    String schema =
        """
        type: object
        properties: { status: { type: string, enum: [approved, declined] } }
        example: { status: declined }
        """;

    assertThat(generateValid(spec("3.1.0", schema, "")).body().path("status").asText())
        .isEqualTo("declined");
  }

  @Test
  void anExampleThatBreaksItsSchemaIsReplacedByAGeneratedValue() {
    String schema =
        """
        type: object
        required: [event]
        properties:
          event:
            type: object
            required: [status, id]
            properties:
              status: { type: string, enum: [delivered, failed] }
              id: { type: string }
        example: { event: { status: sent, id: 42 } }
        """;

    JsonNode event = generateValid(spec("3.1.0", schema, "")).body().path("event");

    assertThat(event.path("status").asText()).as("a value of the enum").isEqualTo("delivered");
    assertThat(event.path("id").isTextual()).as("a string, not the example's 42").isTrue();
  }

  @Test
  void aPropertysExampleThatBreaksItsSchemaGivesWayToTheEnumOrAGeneratedValue() {
    String schema =
        """
        type: object
        required: [status, count]
        properties:
          status: { type: string, enum: [delivered, failed], example: sent }
          count: { type: string, example: 7 }
          channel: { type: string, example: sms }
        """;

    JsonNode body = generateValid(spec("3.0.3", schema, "")).body();

    assertThat(body.path("status").asText()).isEqualTo("delivered");
    assertThat(body.path("count").asText()).isEqualTo("string");
    assertThat(body.path("channel").asText()).as("a fitting example is kept").isEqualTo("sms");
  }

  @Test
  void aMediaTypesExampleThatBreaksTheSchemaIsNotSentButOneThatFitsIs() {
    String schema =
        """
        type: object
        required: [status]
        properties: { status: { type: string, enum: [delivered, failed] } }
        """;
    String breaks =
        spec("3.0.3", schema, "")
            .replace(
                "              responses: { \"200\"",
                "                    example: { status: 3 }\n"
                    + "              responses: { \"200\"");
    String fits = breaks.replace("{ status: 3 }", "{ status: failed }");

    assertThat(breaks).contains("example: { status: 3 }");
    assertThat(generateValid(breaks).body().path("status").asText()).isEqualTo("delivered");
    close();
    assertThat(generateValid(fits).body().path("status").asText()).isEqualTo("failed");
  }

  @Test
  void aRequiredNameThatNoPropertyDeclaresIsStillSent() {
    String schema =
        """
        type: object
        required: [type, payload]
        properties:
          type: { type: string, enum: [deployment] }
          payload:
            type: object
            required: [name, string]
            properties: { name: { type: string }, url: { type: string } }
        """;

    JsonNode payload = generateValid(spec("3.0.3", schema, "")).body().path("payload");

    assertThat(payload.has("string")).isTrue();
    assertThat(payload.has("name")).isTrue();
  }
}
