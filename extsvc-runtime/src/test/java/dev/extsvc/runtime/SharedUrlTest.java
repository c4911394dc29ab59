package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keys that share one callback URL (one {@code webhook_url}, several events) are told apart by the
 * method, then the literal suffix, then the schema each key declares.
 */
class SharedUrlTest {
  static final String SHIPMENTS = "Shipments";
  static final String SPEC =
      """
      openapi: 3.1.0
      info: { title: Shipments, version: "1" }
      paths:
        /shipments:
          post:
            operationId: ship
            requestBody:
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      parcel: { type: string }
                      webhook_url: { type: string }
            responses:
              "202": { description: accepted }
            callbacks:
              delivered:
                "{$request.body#/webhook_url}":
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [event, signedBy]
                            properties:
                              event: { const: shipment.delivered }
                              signedBy: { type: string }
                    responses: { "200": { description: ok } }
              lost:
                "{$request.body#/webhook_url}":
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [event, lastSeen]
                            properties:
                              event: { const: shipment.lost }
                              lastSeen: { type: string }
                    responses: { "200": { description: ok } }
              returned:
                "{$request.body#/webhook_url}/returns":
                  put:
                    requestBody:
                      content:
                        application/json:
                          schema:
                            type: object
                            properties:
                              reason: { type: string }
                    responses: { "200": { description: ok } }
      """;

  static final List<String> KEYS = new CopyOnWriteArrayList<>();

  /** Records the key each callback was matched to. */
  static final class KeyRecorder implements CallbackHandler {
    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {
      KEYS.add(key);
    }
  }

  RuntimeFixture f;

  @BeforeEach
  void start() {
    KEYS.clear();
    f = new RuntimeFixture().register(SPEC, null);
    f.bank.answer(202, "{\"parcel\":\"P-1\"}");
  }

  @AfterEach
  void stop() {
    f.close();
  }

  InvocationResult ship() {
    return f.services.invoke(
        SHIPMENTS,
        "ship",
        new dev.extsvc.spec.RequestParts().body(RuntimeFixture.json("{\"parcel\":\"P-1\"}")),
        new KeyRecorder(),
        null);
  }

  @Test
  void oneUrlIsWrittenOnceForAllTheKeysThatShareIt() {
    InvocationResult r = ship();

    assertThat(r.callbackUrls()).containsOnlyKeys("delivered", "lost", "returned");
    assertThat(r.callbackUrls().values()).containsOnly(r.callbackUrls().get("delivered"));
    String written = RuntimeFixture.json(f.bank.onlyRequest().body()).get("webhook_url").asText();
    assertThat(written).isEqualTo(r.callbackUrls().get("delivered"));
    assertThat(f.kinds(r.invocationId())).filteredOn("CALLBACK_URL"::equals).hasSize(1);
  }

  @Test
  void theSchemasConstantTellsTheEventsApart() {
    String hook = ship().callbackUrls().get("lost");

    CallbackResponse answer =
        f.post(hook, "{\"event\":\"shipment.lost\",\"lastSeen\":\"Rotterdam\"}");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(KEYS).containsExactly("lost");
    String other = ship().callbackUrls().get("delivered");
    assertThat(f.post(other, "{\"event\":\"shipment.delivered\",\"signedBy\":\"Bo\"}").status())
        .isEqualTo(200);
    assertThat(KEYS).containsExactly("lost", "delivered");
  }

  @Test
  void theMethodAndTheSuffixTellAKeyApart() {
    InvocationResult r = ship();
    String hook = r.callbackUrls().get("returned");

    assertThat(f.post(hook + "/returns", "{\"reason\":\"damaged\"}").status())
        .as("the POST keys live at no suffix")
        .isEqualTo(404);
    assertThat(KEYS).isEmpty();
    CallbackResponse put =
        f.services
            .receiver()
            .handle(
                Callbacks.to("PUT", hook + "/returns").json("{\"reason\":\"damaged\"}").build());

    assertThat(put.status()).isEqualTo(200);
    assertThat(KEYS).containsExactly("returned");
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void aTrailingSlashOrAQueryDoesNotChangeTheSuffix() {
    String hook = ship().callbackUrls().get("returned");

    CallbackResponse put =
        f.services
            .receiver()
            .handle(
                Callbacks.to("PUT", hook + "/returns/?attempt=2")
                    .json("{\"reason\":\"late\"}")
                    .build());

    assertThat(put.status()).isEqualTo(200);
    assertThat(KEYS).containsExactly("returned");
  }

  @Test
  void aPutWithoutTheSuffixMatchesNoKey() {
    String hook = ship().callbackUrls().get("returned");

    CallbackResponse put =
        f.services.receiver().handle(Callbacks.to("PUT", hook).json("{\"reason\":\"x\"}").build());

    assertThat(put.status()).isEqualTo(404);
    assertThat(KEYS).isEmpty();
  }

  @Test
  void aBodyThatMatchesNoKeyIsRefusedNamingEveryKeyAndItsProblem() {
    InvocationResult r = ship();
    String hook = r.callbackUrls().get("delivered");

    CallbackResponse answer = f.post(hook, "{\"event\":\"shipment.eaten\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("delivered:").contains("lost:");
    assertThat(KEYS).isEmpty();
    assertThat(f.services.callbacks(r.invocationId())).isEmpty();
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void aRequiredBodyThatIsMissingIsRefused() {
    String hook = ship().callbackUrls().get("delivered");

    CallbackResponse answer = f.services.receiver().handle(Callbacks.to("POST", hook).build());

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("a JSON body is required");
    assertThat(KEYS).isEmpty();
  }

  @Test
  void theStoredCallbackCarriesTheKeyItWasMatchedTo() {
    InvocationResult r = ship();

    f.post(r.callbackUrls().get("lost"), "{\"event\":\"shipment.lost\",\"lastSeen\":\"Oslo\"}");

    assertThat(f.services.callbacks(r.invocationId()))
        .singleElement()
        .satisfies(c -> assertThat(c.key()).isEqualTo("lost"));
  }

  /**
   * The first key's schema requires nothing, so it accepts the second key's event too (the fixture
   * gives the service name Hooks an endpoint).
   */
  static final String LOOSE_FIRST =
      """
      openapi: 3.0.3
      info: { title: Hooks, version: "1" }
      paths:
        /rooms:
          post:
            operationId: open
            requestBody:
              content:
                application/json:
                  schema: { type: object, properties: { hook: { type: string } } }
            responses:
              "202": { description: accepted }
            callbacks:
              opened:
                "{$request.body#/hook}":
                  post:
                    requestBody:
                      content:
                        application/json:
                          schema:
                            type: object
                            properties:
                              data:
                                type: object
                                properties: { event: { type: string, enum: [room.opened] } }
                    responses: { "200": { description: ok } }
              floorChanged:
                "{$request.body#/hook}":
                  post:
                    requestBody:
                      content:
                        application/json:
                          schema:
                            type: object
                            properties:
                              event: { type: string, enum: [room.floor.changed] }
                              speaker: { type: string }
                    responses: { "200": { description: ok } }
      """;

  @Test
  void amongKeysWhoseSchemasAllAcceptTheBodyTheOneNamingItsConstantIsChosen() {
    try (RuntimeFixture rooms = new RuntimeFixture().register(LOOSE_FIRST, null)) {
      rooms.bank.answer(202, "{}");
      InvocationResult r =
          rooms.services.invoke(
              "Hooks",
              "open",
              new dev.extsvc.spec.RequestParts().body(RuntimeFixture.json("{}")),
              new KeyRecorder(),
              null);

      CallbackResponse answer =
          rooms.post(
              r.callbackUrls().get("floorChanged"),
              "{\"event\":\"room.floor.changed\",\"speaker\":\"Ada\"}");

      assertThat(answer.status()).isEqualTo(200);
      assertThat(KEYS).containsExactly("floorChanged");
      assertThat(rooms.services.invocation(r.invocationId()).orElseThrow().status())
          .isEqualTo(InvocationStatus.COMPLETED);
    }
  }
}
