package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.ACME;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED_BODY;
import static dev.extsvc.runtime.RuntimeFixture.ERROR;
import static dev.extsvc.runtime.RuntimeFixture.REJECTED;
import static dev.extsvc.runtime.RuntimeFixture.SUBMIT;
import static dev.extsvc.runtime.RuntimeFixture.json;
import static dev.extsvc.runtime.RuntimeFixture.tokenOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import dev.extsvc.runtime.testing.LoopbackService;
import dev.extsvc.spec.RequestParts;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invoking an operation: callback URLs minted and written where the keys point, the invocation
 * persisted before the callout, the answer recorded, and what cannot or must not be sent refused
 * before anything is stored.
 */
class InvocationTest {
  static final String HOOKS =
      """
      openapi: 3.0.3
      info: { title: Hooks, version: "1" }
      paths:
        /jobs/{hook}:
          post:
            operationId: startJob
            parameters:
              - { name: hook, in: path, required: true, schema: { type: string } }
              - { name: cb, in: query, schema: { type: string } }
              - { name: X-Callback, in: header, schema: { type: string } }
            requestBody:
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      job: { type: string }
                      notify:
                        type: object
                        properties:
                          on: { type: object, properties: { done: { type: string } } }
            responses: { "202": { description: accepted } }
            callbacks:
              byQuery: { "{$request.query.cb}": { post: { responses: { "200": { description: ok } } } } }
              byHeader: { "{$request.header.X-Callback}": { post: { responses: { "200": { description: ok } } } } }
              byPath: { "{$request.path.hook}": { post: { responses: { "200": { description: ok } } } } }
              byBody: { "{$request.body#/notify/on/done}": { post: { responses: { "200": { description: ok } } } } }
      """;
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
            responses: { "200": { description: ok } }
      """;

  RuntimeFixture f;

  @BeforeEach
  void start() {
    TestHandler.reset();
    f = new RuntimeFixture().withAcme();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aCalloutOverPlainHttpAsksForNoHttp2Upgrade() {
    f.submit(new TestHandler("Alice", APPROVED));

    LoopbackService.Request sent = f.bank.onlyRequest();
    assertThat(sent.header("Upgrade")).isNull();
    assertThat(sent.header("HTTP2-Settings")).isNull();
    assertThat(sent.header("Connection")).isNull();
  }

  @Test
  void acmesCallbackUrlsAreWrittenInTheBodyAndTheQueryWhereItsKeysPoint() {
    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));

    assertThat(r.async()).isTrue();
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.body()).contains("A-1001");
    LoopbackService.Request sent = f.bank.onlyRequest();
    JsonNode body = json(sent.body());
    String query = sent.uri().getRawQuery();
    String error =
        URLDecoder.decode(query.substring(query.indexOf('=') + 1), StandardCharsets.UTF_8);
    assertThat(query).startsWith("callbackUrlForErrorCases=");
    assertThat(r.callbackUrls())
        .containsOnlyKeys(APPROVED, REJECTED, ERROR)
        .containsEntry(APPROVED, body.at("/callbackUrlForOutcomes/approved").asText())
        .containsEntry(REJECTED, body.at("/callbackUrlForOutcomes/rejected").asText())
        .containsEntry(ERROR, error);
    assertThat(r.callbackUrls().values())
        .doesNotHaveDuplicates()
        .allSatisfy(
            u ->
                assertThat(u)
                    .matches("https://hooks\\.example\\.test/callbacks/[A-Za-z0-9_-]{43}"));
    assertThat(body.at("/applicant/name").asText()).isEqualTo("Alice");
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.uri().getPath()).isEqualTo("/applications");
    assertThat(sent.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.sentRequest().firstQuery("callbackUrlForErrorCases")).isEqualTo(error);
  }

  @Test
  void onlyTheTokensHashesAreStoredAndTheStoredRequestIsMasked() {
    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));
    InvocationRow row = f.invocation(r.invocationId());

    for (String url : r.callbackUrls().values()) {
      String token = tokenOf(url);
      assertThat(f.store.token(sha256(token)))
          .as("found by its hash")
          .isPresent()
          .get()
          .satisfies(t -> assertThat(t.invocationId()).isEqualTo(r.invocationId()));
      assertThat(row.request()).doesNotContain(token);
      assertThat(f.messages(r.invocationId())).noneMatch(m -> m.contains(token));
    }
    assertThat(row.request()).contains("https://hooks.example.test/callbacks/{token sha256:");
    assertThat(json(row.request()).at("/body/applicant/name").asText()).isEqualTo("Alice");
    assertThat(f.store.token(sha256(tokenOf(r.callbackUrls().get(APPROVED)))).orElseThrow().keys())
        .containsExactly(APPROVED);
  }

  @Test
  void callbackUrlsGoIntoTheQueryAHeaderThePathAndTheBodyCreatingMissingObjects() {
    f.register(HOOKS, null);
    f.bank.answer(202, "");

    InvocationResult r =
        f.services.invoke(
            "Hooks",
            "startJob",
            new RequestParts().body(json("{\"job\":\"render\"}")),
            new HooksHandler(),
            null);

    LoopbackService.Request sent = f.bank.onlyRequest();
    assertThat(r.callbackUrls()).containsOnlyKeys("byQuery", "byHeader", "byPath", "byBody");
    assertThat(r.callbackUrls().values()).doesNotHaveDuplicates();
    String query = sent.uri().getRawQuery();
    assertThat(URLDecoder.decode(query.substring("cb=".length()), StandardCharsets.UTF_8))
        .isEqualTo(r.callbackUrls().get("byQuery"));
    assertThat(sent.header("X-Callback")).isEqualTo(r.callbackUrls().get("byHeader"));
    assertThat(
            URLDecoder.decode(
                sent.uri().getRawPath().substring("/jobs/".length()), StandardCharsets.UTF_8))
        .isEqualTo(r.callbackUrls().get("byPath"));
    JsonNode body = json(sent.body());
    assertThat(body.at("/notify/on/done").asText()).isEqualTo(r.callbackUrls().get("byBody"));
    assertThat(body.get("job").asText()).isEqualTo("render");

    String stored = f.invocation(r.invocationId()).request();
    for (String url : r.callbackUrls().values()) {
      assertThat(stored).doesNotContain(tokenOf(url));
    }
    JsonNode shown = json(stored);
    assertThat(shown.at("/query/cb").toString()).contains("{token sha256:");
    assertThat(shown.at("/headers").toString()).contains("{token sha256:");
    assertThat(shown.at("/path/hook").asText()).contains("{token sha256:");
    assertThat(shown.at("/body/notify/on/done").asText()).contains("{token sha256:");
  }

  @Test
  void eachInjectedUrlBringsItsCallbackBackToItsKey() {
    f.register(HOOKS, null);
    f.bank.answer(202, "");
    HooksHandler.KEYS.clear();

    for (String key : List.of("byQuery", "byHeader", "byPath", "byBody")) {
      InvocationResult r =
          f.services.invoke("Hooks", "startJob", new RequestParts(), new HooksHandler(), null);
      assertThat(f.post(r.callbackUrls().get(key), "{\"done\":true}").status())
          .as(key)
          .isEqualTo(200);
      assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    }

    assertThat(HooksHandler.KEYS).containsExactly("byQuery", "byHeader", "byPath", "byBody");
  }

  /** Records which key each callback reached. */
  static final class HooksHandler implements CallbackHandler {
    static final List<String> KEYS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {
      KEYS.add(key);
    }
  }

  @Test
  void theInvocationIsStoredPendingBeforeTheCalloutSoACallbackThatBeatsTheAnswerCompletesIt() {
    AtomicReference<InvocationRow> seenDuringCallout = new AtomicReference<>();
    AtomicReference<CallbackResponse> early = new AtomicReference<>();
    f.bank.beforeAnswer(
        request -> {
          seenDuringCallout.set(
              f.store.invocations(dev.extsvc.runtime.store.InvocationQuery.all(10)).getFirst());
          String url = json(request.body()).at("/callbackUrlForOutcomes/approved").asText();
          early.set(f.post(url, APPROVED_BODY));
        });

    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));

    assertThat(seenDuringCallout.get().id()).isEqualTo(r.invocationId());
    assertThat(seenDuringCallout.get().status()).isEqualTo(InvocationStatus.PENDING);
    assertThat(seenDuringCallout.get().syncStatus()).isNull();
    assertThat(early.get().status()).isEqualTo(200);
    assertThat(r.statusCode()).isEqualTo(201);
    InvocationRow row = f.invocation(r.invocationId());
    assertThat(row.status()).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(row.syncStatus()).as("the answer is recorded after the completion").isEqualTo(201);
    assertThat(TestHandler.SEEN).hasSize(1);
    assertThat(f.kinds(r.invocationId()))
        .containsSubsequence("CALLBACK_RECEIVED", "COMPLETED", "CALLOUT");
  }

  @Test
  void theAnswerIsRecordedWithAnEventThatHidesTheQuery() {
    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));
    InvocationRow row = f.invocation(r.invocationId());

    assertThat(row.syncStatus()).isEqualTo(201);
    assertThat(row.syncBody()).isEqualTo("{\"applicationNumber\":\"A-1001\"}");
    assertThat(row.syncHeaders()).containsIgnoringCase("content-type");
    assertThat(f.messages(r.invocationId()))
        .filteredOn(m -> m.startsWith("POST "))
        .singleElement()
        .asString()
        .contains("/applications?…")
        .contains("answered 201");
    assertThat(f.kinds(r.invocationId()))
        .containsExactly("SUBMITTED", "CALLBACK_URL", "CALLBACK_URL", "CALLBACK_URL", "CALLOUT");
  }

  @Test
  void aNon2xxAnswerIsReturnedAndCancelsTheInvocationWithTheReason() {
    f.bank.answer(503, "{\"message\":\"maintenance\"}");

    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.successful()).isFalse();
    assertThat(r.body()).contains("maintenance");
    InvocationRow row = f.invocation(r.invocationId());
    assertThat(row.status()).isEqualTo(InvocationStatus.CANCELLED);
    assertThat(row.reason()).isEqualTo("Callout answered 503");
    assertThat(f.kinds(r.invocationId())).endsWith("CALLOUT", "CANCELLED");
    assertThat(f.approve(r).status()).isEqualTo(404);
    assertThat(TestHandler.RUNS).hasValue(0);
  }

  @Test
  void aCalloutThatCannotConnectCancelsTheInvocationAndThrowsWithItsId() {
    f.close();
    f = new RuntimeFixture(b -> b.endpoint(ACME, "http://127.0.0.1:1")).withAcme();

    assertThatThrownBy(() -> f.submit(new TestHandler("Alice", APPROVED)))
        .isInstanceOf(CalloutException.class)
        .hasMessageContaining("failed")
        .satisfies(
            e -> {
              var id = ((CalloutException) e).invocationId();
              InvocationRow row = f.invocation(id);
              assertThat(row.status()).isEqualTo(InvocationStatus.CANCELLED);
              assertThat(row.reason())
                  .contains("Callout POST http://127.0.0.1:1/applications")
                  .contains("failed");
              assertThat(f.kinds(id)).last().isEqualTo("CANCELLED");
            });
  }

  @Test
  void aSynchronousOperationCompletesWithItsAnswerAndHasNoCallbackUrls() {
    f.register(QUOTES, null);
    f.bank.answer(200, "{\"price\":12.5}");

    InvocationResult r =
        f.services.invoke(
            "Quotes",
            "getQuote",
            new RequestParts().pathParam("symbol", "ACME X").query("currency", "EUR"),
            null,
            null);

    assertThat(r.async()).isFalse();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.callbackUrls()).isEmpty();
    LoopbackService.Request sent = f.bank.onlyRequest();
    assertThat(sent.method()).isEqualTo("GET");
    assertThat(sent.uri().getRawPath()).isEqualTo("/quotes/ACME%20X");
    assertThat(sent.uri().getRawQuery()).isEqualTo("currency=EUR");
    InvocationRow row = f.invocation(r.invocationId());
    assertThat(row.async()).isFalse();
    assertThat(row.status()).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(row.syncBody()).isEqualTo("{\"price\":12.5}");
    assertThat(f.kinds(r.invocationId())).containsExactly("SUBMITTED", "CALLOUT", "COMPLETED");
  }

  @Test
  void missingRequiredParametersAreNamedAndNothingIsSent() {
    f.register(QUOTES, null);

    assertThatThrownBy(
            () ->
                f.services.invoke(
                    "Quotes", "getQuote", new RequestParts().query("currency", "EUR"), null, null))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("missing path parameter 'symbol'");
    assertThatThrownBy(
            () ->
                f.services.invoke(
                    "Quotes", "getQuote", new RequestParts().pathParam("symbol", "X"), null, null))
        .hasMessageContaining("missing required query parameter 'currency'");
    assertThat(f.bank.received()).isEmpty();
    assertThat(f.store.countByStatus().values().stream().mapToLong(Long::longValue).sum()).isZero();
  }

  @Test
  void anUnknownServiceOrOperationIsNamedInTheError() {
    assertThatThrownBy(
            () -> f.services.invoke("Acme Loans", SUBMIT, new RequestParts(), null, null))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("unknown service 'Acme Loans'")
        .hasMessageContaining(ACME);
    assertThatThrownBy(() -> f.services.invoke(ACME, "Withdraw", new RequestParts(), null, null))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("unknown operation 'Withdraw' of service " + ACME)
        .hasMessageContaining(SUBMIT);
    assertThat(f.bank.received()).isEmpty();
  }

  @Test
  void aServiceWithoutAnEndpointIsRefusedBeforeAnythingIsStored() {
    f.register(QUOTES, "Nowhere");

    assertThatThrownBy(
            () ->
                f.services.invoke(
                    "Nowhere",
                    "getQuote",
                    new RequestParts().pathParam("symbol", "X").query("currency", "EUR"),
                    null,
                    null))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("service Nowhere has no endpoint");
    assertThat(f.store.countByStatus().values().stream().mapToLong(Long::longValue).sum()).isZero();
  }

  @Test
  void aLoopbackEndpointIsRefusedUnlessPrivateNetworksAreAllowed() {
    f.close();
    f = new RuntimeFixture(b -> b.allowPrivateNetworks(false)).withAcme();

    assertThatThrownBy(() -> f.submit(new TestHandler("Alice", APPROVED)))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("refused")
        .hasMessageContaining("loopback");

    assertThat(f.bank.received()).isEmpty();
    assertThat(f.store.countByStatus().values().stream().mapToLong(Long::longValue).sum()).isZero();
  }

  @Test
  void anEndpointWhoseHostDoesNotResolveIsRefusedNamingTheHostBeforeAnythingIsStored() {
    f.close();
    f = new RuntimeFixture(b -> b.endpoint(ACME, "http://nosuch.invalid:8080")).withAcme();

    assertThatThrownBy(() -> f.submit(new TestHandler("Alice", APPROVED)))
        .isInstanceOf(ExtsvcException.class)
        .isNotInstanceOf(CalloutException.class)
        .hasMessageContaining("refused")
        .hasMessageContaining("nosuch.invalid does not resolve");

    assertThat(f.store.countByStatus().values().stream().mapToLong(Long::longValue).sum()).isZero();
  }

  @Test
  void aServiceMayBeAllowedItsOwnPrivateEndpoint() {
    f.close();
    f =
        new RuntimeFixture(
                b -> b.allowPrivateNetworks(false).service(ACME, s -> s.allowPrivateNetwork(true)))
            .withAcme();

    assertThat(f.submit(new TestHandler("Alice", APPROVED)).statusCode()).isEqualTo(201);
  }

  @Test
  void anAllowedAddressBlockLetsCalloutsThrough() {
    f.close();
    f =
        new RuntimeFixture(b -> b.allowPrivateNetworks(false).allowAddresses("127.0.0.0/8"))
            .withAcme();

    assertThat(f.submit(new TestHandler("Alice", APPROVED)).statusCode()).isEqualTo(201);
  }

  @Test
  void aCustomCallbackPathIsWrittenIntoTheUrlsAndReceivedThere() {
    f.close();
    f = new RuntimeFixture(b -> b.callbackPath("/hooks/extsvc")).withAcme();
    InvocationResult r = f.submit(new TestHandler("Alice", APPROVED));
    String url = r.callbackUrls().get(APPROVED);

    assertThat(url).startsWith("https://hooks.example.test/hooks/extsvc/");
    assertThat(f.services.callbackPath()).isEqualTo("/hooks/extsvc");
    CallbackResponse answer =
        f.services
            .receiver()
            .handle(Callbacks.to("POST", url, "/hooks/extsvc").json(APPROVED_BODY).build());
    assertThat(answer.status()).isEqualTo(200);
  }

  @Test
  void thePublicBaseUrlIsReadAtEachInvocation() {
    AtomicReference<String> base = new AtomicReference<>("https://first.example.test/");
    f.close();
    f = new RuntimeFixture(b -> b.publicBaseUrl(base::get)).withAcme();

    String first = f.submit(new TestHandler("A", APPROVED)).callbackUrls().get(APPROVED);
    base.set("https://second.example.test");
    String second = f.submit(new TestHandler("B", APPROVED)).callbackUrls().get(APPROVED);

    assertThat(first).startsWith("https://first.example.test/callbacks/");
    assertThat(second).startsWith("https://second.example.test/callbacks/");
  }

  @Test
  void aHandlerThatCannotBeStoredAsJsonIsRefusedBeforeTheCallout() {
    assertThatThrownBy(() -> f.submit(new UnstorableHandler()))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("cannot be stored as JSON");
    assertThat(f.bank.received()).isEmpty();
  }

  /** A handler whose field Jackson cannot write: it refers to itself. */
  static final class UnstorableHandler implements CallbackHandler {
    @SuppressWarnings("unused") // read by Jackson, which fails on the cycle
    private final Object self = List.of(this);

    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {}
  }

  @Test
  void registeredServicesAreKeptInTheStoreAndListed() {
    f.register(QUOTES, null);

    assertThat(f.services.services()).extracting(d -> d.name()).containsExactly(ACME, "Quotes");
    assertThat(f.store.services()).extracting(s -> s.name()).containsExactly(ACME, "Quotes");
    assertThat(f.restart(b -> {}).service("Quotes")).isPresent();
  }

  @Test
  void aDocumentWithErrorsRegistersNothing() {
    var registration = f.services.register("{\"openapi\":\"3.1.0\",\"info\":{}}", "Broken");

    assertThat(registration.ok()).isFalse();
    assertThat(f.services.service("Broken")).isEmpty();
    assertThat(f.store.services()).extracting(s -> s.name()).containsExactly(ACME);
  }
}
