package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A key's URL that continues after the runtime's URL with expressions of the request: the suffix is
 * evaluated when the token is minted, stored with it, and a callback must arrive exactly there.
 */
class UrlTemplateTest {
  static final String SPEC =
      """
      openapi: 3.0.3
      info: { title: Hooks, version: "1" }
      paths:
        /shipments:
          post:
            operationId: ship
            parameters:
              - { name: callback, in: query, required: false, schema: { type: string } }
            requestBody:
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      reference: { type: string }
            responses:
              "202": { description: accepted }
            callbacks:
              shipped:
                "{$request.query.callback}/shipments/{$request.body#/reference}":
                  post:
                    requestBody:
                      content:
                        application/json:
                          schema: { type: object, properties: { at: { type: string } } }
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
    f.bank.answer(202, "{}");
  }

  @AfterEach
  void stop() {
    f.close();
  }

  InvocationResult ship(String reference) {
    return f.services.invoke(
        "Hooks",
        "ship",
        new RequestParts().body(RuntimeFixture.json("{\"reference\":\"" + reference + "\"}")),
        new KeyRecorder(),
        null);
  }

  @Test
  void aCallbackAtTheSuffixEvaluatedFromTheRequestCompletesTheInvocation() {
    InvocationResult r = ship("R-17");
    String hook = r.callbackUrls().get("shipped");

    CallbackResponse answer = f.post(hook + "/shipments/R-17", "{\"at\":\"Rotterdam\"}");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(KEYS).containsExactly("shipped");
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(f.services.events(r.invocationId()))
        .anyMatch(e -> e.message().contains("expected at the URL followed by '/shipments/R-17'"));
  }

  @Test
  void aCallbackAtAnotherValueOrOnlyTheLiteralPartIsRefused() {
    InvocationResult r = ship("R-17");
    String hook = r.callbackUrls().get("shipped");

    assertThat(f.post(hook + "/shipments/R-18", "{}").status()).isEqualTo(404);
    assertThat(f.post(hook + "/shipments/", "{}").status()).isEqualTo(404);
    assertThat(f.post(hook, "{}").status()).isEqualTo(404);
    assertThat(KEYS).isEmpty();
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void aValueTheServiceEscapedInThePathStillMatches() {
    InvocationResult r = ship("R 17/b");
    String hook = r.callbackUrls().get("shipped");

    assertThat(f.post(hook + "/shipments/R%2017%2Fb", "{}").status()).isEqualTo(200);
    assertThat(KEYS).containsExactly("shipped");
  }

  @Test
  void eachInvocationIsExpectedAtItsOwnSuffix() {
    String first = ship("A-1").callbackUrls().get("shipped");
    String second = ship("B-2").callbackUrls().get("shipped");

    assertThat(f.post(first + "/shipments/B-2", "{}").status()).isEqualTo(404);
    assertThat(f.post(second + "/shipments/B-2", "{}").status()).isEqualTo(200);
    assertThat(f.post(first + "/shipments/A-1", "{}").status()).isEqualTo(200);
    assertThat(KEYS).containsExactly("shipped", "shipped");
  }
}
