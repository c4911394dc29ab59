package dev.extsvc.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock bank over real HTTP on loopback, driven by the Acme Mortgages document. */
class MockServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APPROVED = "applicationOutcomeApproved";
  private static final String REJECTED = "applicationOutcomeRejected";
  private static final String ERROR = "applicationError";
  private static final String APPROVED_TOKEN = "approvedTokenAAAAAAAAAAAAAAAAAAAAAAAA";
  private static final String REJECTED_TOKEN = "rejectedTokenBBBBBBBBBBBBBBBBBBBBBBBB";
  private static final String ERROR_TOKEN = "errorTokenCCCCCCCCCCCCCCCCCCCCCCCCCCC";

  private static ServiceDefinition acme;

  private final HttpClient http = HttpClient.newHttpClient();
  private Receiver receiver;
  private final List<MockService> mocks = new ArrayList<>();

  @BeforeAll
  static void register() {
    Registration r =
        Registrar.defaults().register(Path.of("../examples/acme-mortgages.json"), null);
    assertThat(r.report().errors()).isEmpty();
    acme = r.service();
  }

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = new Receiver();
  }

  @AfterEach
  void stopAll() {
    mocks.forEach(MockService::close);
    receiver.close();
  }

  private MockService start(MockService.Builder builder) {
    MockService mock = builder.build().start();
    mocks.add(mock);
    return mock;
  }

  private MockService start(KeyRule rule) {
    return start(MockService.builder(acme).keyRule(rule).callbackDelay(Duration.ZERO));
  }

  /** Submits an application with all three callback URLs pointing at the receiver. */
  private HttpResponse<String> submit(MockService mock, @Nullable String keyHeader)
      throws Exception {
    String body =
        JSON.createObjectNode()
            .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                "applicant", JSON.createObjectNode().put("name", "Ann"))
            .set(
                "callbackUrlForOutcomes",
                JSON.createObjectNode()
                    .put("approved", receiver.url(APPROVED_TOKEN))
                    .put("rejected", receiver.url(REJECTED_TOKEN)))
            .toString();
    String query =
        "?callbackUrlForErrorCases="
            + URLEncoder.encode(receiver.url(ERROR_TOKEN), StandardCharsets.UTF_8);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/applications" + query))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (keyHeader != null) {
      b.header(MockService.KEY_HEADER, keyHeader);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Receiver.Received onlyCallback() {
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);
    return receiver.received().get(0);
  }

  @Test
  void submittingAnApplicationAnswers201WithABodyValidForItsSchema() throws Exception {
    MockService mock = start(KeyRule.fixed(APPROVED));

    HttpResponse<String> answer = submit(mock, null);

    assertThat(answer.statusCode()).isEqualTo(201);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode schema =
        acme.operation("SubmitApplication").orElseThrow().responses().get("201").schema();
    assertThat(
            SchemaRegistry.withDialect(Dialects.getOpenApi30())
                .getSchema(schema.toString(), InputFormat.JSON)
                .validate(answer.body(), InputFormat.JSON))
        .isEmpty();
    assertThat(JSON.readTree(answer.body()).path("applicationNumber").isTextual()).isTrue();
  }

  @Test
  void theRequestIsRecordedWithItsCallbackUrls() throws Exception {
    MockService mock = start(KeyRule.fixed(APPROVED));

    submit(mock, null);

    assertThat(mock.requests())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.operationId()).isEqualTo("SubmitApplication");
              assertThat(r.method()).isEqualTo("POST");
              assertThat(r.path()).isEqualTo("/applications");
              assertThat(r.firstQuery("callbackUrlForErrorCases"))
                  .isEqualTo(receiver.url(ERROR_TOKEN));
              assertThat(r.header("content-type")).isEqualTo("application/json");
              assertThat(JSON.readTree(r.body()).at("/callbackUrlForOutcomes/approved").asText())
                  .isEqualTo(receiver.url(APPROVED_TOKEN));
            });
  }

  @Test
  void theApprovedCallbackGoesToTheUrlInTheRequestBody() throws Exception {
    MockService mock = start(KeyRule.fixed(APPROVED));

    String number = JSON.readTree(submit(mock, null).body()).path("applicationNumber").asText();

    Receiver.Received callback = onlyCallback();
    assertThat(callback.method()).isEqualTo("POST");
    assertThat(callback.path()).isEqualTo("/callbacks/" + APPROVED_TOKEN);
    assertThat(callback.headers().get("Content-Type")).isEqualTo("application/json");
    JsonNode body = JSON.readTree(callback.body());
    assertThat(body.path("applicationNumber").asText()).isEqualTo(number);
    assertThat(body.has("status")).isTrue();
    await().until(() -> mock.deliveries().size() == 1);
    assertThat(mock.deliveries().get(0))
        .satisfies(
            d -> {
              assertThat(d.key()).isEqualTo(APPROVED);
              assertThat(d.succeeded()).isTrue();
              assertThat(d.attempts()).isEqualTo(1);
            });
  }

  @Test
  void theRejectedCallbackGoesToTheRejectedUrl() throws Exception {
    MockService mock = start(KeyRule.fixed(REJECTED));

    submit(mock, null);

    Receiver.Received callback = onlyCallback();
    assertThat(callback.path()).isEqualTo("/callbacks/" + REJECTED_TOKEN);
    assertThat(JSON.readTree(callback.body()).has("errorMessage")).isTrue();
  }

  @Test
  void theErrorCallbackGoesToTheQueryUrlWithTheApplicationNumberHeader() throws Exception {
    MockService mock = start(KeyRule.fixed(ERROR));

    String number = JSON.readTree(submit(mock, null).body()).path("applicationNumber").asText();

    Receiver.Received callback = onlyCallback();
    assertThat(callback.path()).isEqualTo("/callbacks/" + ERROR_TOKEN);
    assertThat(callback.headers().get("applicationNumber")).isEqualTo(number);
    assertThat(JSON.readTree(callback.body()).path("applicationNumber").asText()).isEqualTo(number);
  }

  @Test
  void roundRobinCyclesThroughTheThreeKeysInDeclarationOrder() throws Exception {
    MockService mock = start(KeyRule.roundRobin());

    List<String> keys = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      submit(mock, null);
      int n = i;
      await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == n);
      keys.add(mock.deliveries().get(i - 1).key());
    }

    assertThat(keys).containsExactly(APPROVED, REJECTED, ERROR, APPROVED);
  }

  @Test
  void aSeededRandomRuleChoosesTheSameKeysEachTime() throws Exception {
    List<List<String>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      MockService mock = start(KeyRule.random(42));
      List<String> keys = new ArrayList<>();
      for (int i = 1; i <= 8; i++) {
        submit(mock, null);
        int n = i;
        await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == n);
        keys.add(mock.deliveries().get(i - 1).key());
      }
      runs.add(keys);
    }

    assertThat(runs.get(0)).isEqualTo(runs.get(1));
    assertThat(new java.util.HashSet<>(runs.get(0))).hasSizeGreaterThan(1);
  }

  @Test
  void theKeyHeaderOverridesTheRuleForOneRequest() throws Exception {
    MockService mock = start(KeyRule.fixed(APPROVED));

    submit(mock, ERROR);

    assertThat(onlyCallback().path()).isEqualTo("/callbacks/" + ERROR_TOKEN);
  }

  @Test
  void theKeyHeaderNoneSendsNoCallback() throws Exception {
    MockService mock = start(KeyRule.fixed(APPROVED));

    submit(mock, MockService.NO_CALLBACK);
    submit(mock, null);

    // "none" schedules nothing, so once the second request's callback is in, no other can come.
    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    assertThat(receiver.received()).hasSize(1);
  }

  @Test
  void anUnknownKeyInTheHeaderIsAFailedDeliveryNamingTheKeys() throws Exception {
    MockService mock = start(KeyRule.fixed(APPROVED));

    assertThat(submit(mock, "maybe").statusCode()).isEqualTo(201);

    // the key is chosen after the answer has gone out, so the record may trail the answer
    await().atMost(Duration.ofSeconds(10)).until(() -> !mock.deliveries().isEmpty());
    assertThat(mock.deliveries())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.status()).isEqualTo(-1);
              assertThat(d.attempts()).isZero();
              assertThat(d.error()).contains("'maybe'", APPROVED, REJECTED, ERROR);
            });
  }

  @Test
  void theCallbackComesNoSoonerThanTheDelay() throws Exception {
    Duration delay = Duration.ofMillis(400);
    MockService mock =
        start(MockService.builder(acme).keyRule(KeyRule.fixed(APPROVED)).callbackDelay(delay));

    submit(mock, null);

    Receiver.Received callback = onlyCallback();
    RecordedRequest request = mock.requests().get(0);
    // A few ms of slack: the two timestamps come from different threads' reads of the wall clock.
    assertThat(Duration.between(request.receivedAt(), callback.receivedAt()))
        .isGreaterThanOrEqualTo(delay.minusMillis(5));
    await().until(() -> mock.deliveries().size() == 1);
    assertThat(Duration.between(request.receivedAt(), mock.deliveries().get(0).sentAt()))
        .isGreaterThanOrEqualTo(delay.minusMillis(5));
  }

  @Test
  void aServerErrorIsRetriedAsManyTimesAsConfigured() throws Exception {
    receiver.answerAlways(503);
    MockService mock =
        start(
            MockService.builder(acme)
                .keyRule(KeyRule.fixed(APPROVED))
                .callbackDelay(Duration.ZERO)
                .retries(2)
                .retryBackoff(Duration.ofMillis(10)));

    submit(mock, null);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    assertThat(receiver.received()).hasSize(3);
    assertThat(mock.deliveries().get(0))
        .satisfies(
            d -> {
              assertThat(d.attempts()).isEqualTo(3);
              assertThat(d.status()).isEqualTo(503);
              assertThat(d.succeeded()).isFalse();
            });
  }

  @Test
  void aReceiverAnswering503ThenOkGetsARetryWithoutConfiguration() throws Exception {
    receiver.answer(503);
    MockService mock =
        start(
            MockService.builder(acme)
                .keyRule(KeyRule.fixed(APPROVED))
                .callbackDelay(Duration.ZERO)
                .retryBackoff(Duration.ofMillis(10)));

    submit(mock, null);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    assertThat(receiver.received()).hasSize(2);
    assertThat(mock.deliveries().get(0).attempts()).isEqualTo(2);
    assertThat(mock.deliveries().get(0).status()).isEqualTo(200);
  }

  @Test
  void aRetryThatSucceedsEndsTheDelivery() throws Exception {
    receiver.answer(500);
    MockService mock =
        start(
            MockService.builder(acme)
                .keyRule(KeyRule.fixed(APPROVED))
                .callbackDelay(Duration.ZERO)
                .retries(3)
                .retryBackoff(Duration.ofMillis(10)));

    submit(mock, null);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    assertThat(mock.deliveries().get(0).attempts()).isEqualTo(2);
    assertThat(mock.deliveries().get(0).status()).isEqualTo(200);
  }

  @Test
  void aClientErrorIsNotRetriedAndItsAnswerIsKept() throws Exception {
    receiver.answer(404);
    MockService mock =
        start(
            MockService.builder(acme)
                .keyRule(KeyRule.fixed(APPROVED))
                .callbackDelay(Duration.ZERO)
                .retries(3));

    submit(mock, null);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    assertThat(mock.deliveries().get(0).attempts()).isEqualTo(1);
    assertThat(mock.deliveries().get(0).status()).isEqualTo(404);
  }

  @Test
  void deliveriesAndTheirListenerSeeOnlyMaskedUrls() throws Exception {
    List<Delivery> heard = new CopyOnWriteArrayList<>();
    MockService mock =
        start(
            MockService.builder(acme)
                .keyRule(KeyRule.roundRobin())
                .callbackDelay(Duration.ZERO)
                .outcomeListener(heard::add));

    for (int i = 1; i <= 3; i++) {
      submit(mock, null);
      int n = i;
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == n);
    }

    assertThat(heard).isEqualTo(mock.deliveries());
    assertThat(mock.deliveries())
        .extracting(Delivery::maskedUrl)
        .containsExactly(receiver.url("appr…"), receiver.url("reje…"), receiver.url("erro…"));
    assertThat(mock.deliveries().toString())
        .doesNotContain(APPROVED_TOKEN, REJECTED_TOKEN, ERROR_TOKEN);
  }

  @Test
  void aRequestWithoutTheCallbackUrlGivesAFailedDelivery() throws Exception {
    MockService mock = start(KeyRule.fixed(ERROR));

    http.send(
        HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/applications"))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    assertThat(mock.deliveries().get(0))
        .satisfies(
            d -> {
              assertThat(d.attempts()).isZero();
              assertThat(d.error()).contains("no URL", "$request.query.callbackUrlForErrorCases");
            });
  }

  @Test
  void aConnectionErrorIsRetriedAndReported() throws Exception {
    String dead = receiver.url("goneTokenDDDDDDDDDDDDDDDDDDDDDDDDD");
    receiver.close();
    MockService mock =
        start(
            MockService.builder(acme)
                .keyRule(KeyRule.fixed(APPROVED))
                .callbackDelay(Duration.ZERO)
                .retries(1)
                .retryBackoff(Duration.ofMillis(10)));
    CallbackDefinition approved =
        acme.operation("SubmitApplication").orElseThrow().callbacks().get(0);

    Delivery d =
        mock.send(approved, dead, JSON.createObjectNode().put("status", "approved"), Map.of());

    assertThat(d.status()).isEqualTo(-1);
    assertThat(d.attempts()).isEqualTo(2);
    assertThat(d.error()).isNotBlank();
    assertThat(mock.deliveries()).containsExactly(d);
  }

  @Test
  void sendDeliversOneCallbackAtOnce() throws Exception {
    MockService mock = start(KeyRule.fixed(APPROVED));
    CallbackDefinition approved =
        acme.operation("SubmitApplication").orElseThrow().callbacks().get(0);

    Delivery d =
        mock.send(
            approved,
            receiver.url(APPROVED_TOKEN),
            JSON.createObjectNode().put("applicationNumber", "A-1").put("status", "approved"),
            Map.of("X-Trace", "t1"));

    assertThat(d.operationId()).isEqualTo("SubmitApplication");
    assertThat(d.key()).isEqualTo(APPROVED);
    assertThat(d.status()).isEqualTo(200);
    assertThat(receiver.received())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.headers().get("X-Trace")).isEqualTo("t1");
              assertThat(JSON.readTree(r.body()).path("applicationNumber").asText())
                  .isEqualTo("A-1");
            });
  }

  @Test
  void hooksChooseTheAnswerTheCallbackBodyAndItsHeaders() throws Exception {
    AtomicInteger numbers = new AtomicInteger(1000);
    MockService mock =
        start(
            MockService.builder(acme)
                .keyRule(KeyRule.fixed(ERROR))
                .callbackDelay(Duration.ZERO)
                .answers(
                    (op, request) ->
                        JSON.createObjectNode()
                            .put("applicationNumber", "ACME-" + numbers.incrementAndGet()))
                .payloads(
                    new CallbackPayloads() {
                      @Override
                      public JsonNode payload(
                          String key,
                          CallbackDefinition definition,
                          dev.extsvc.spec.RequestParts request) {
                        return JSON.createObjectNode()
                            .put(
                                "errorMessage",
                                "no income for " + request.body().at("/applicant/name").asText());
                      }

                      @Override
                      public Map<String, String> headers(
                          String key, CallbackDefinition def, dev.extsvc.spec.RequestParts r) {
                        return Map.of("X-Bank", "acme");
                      }
                    }));

    assertThat(JSON.readTree(submit(mock, null).body()).path("applicationNumber").asText())
        .isEqualTo("ACME-1001");

    Receiver.Received callback = onlyCallback();
    assertThat(JSON.readTree(callback.body()).path("errorMessage").asText())
        .isEqualTo("no income for Ann");
    assertThat(callback.headers().get("X-Bank")).isEqualTo("acme");
    // the declared header the hook left out still comes, from the synchronous answer
    assertThat(callback.headers().get("applicationNumber")).isEqualTo("ACME-1001");
  }

  @Test
  void anUnknownPathIs404AndAWrongMethodIs405() throws Exception {
    MockService mock = start(KeyRule.roundRobin());

    HttpResponse<String> missing =
        http.send(
            HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/nope")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> wrong =
        http.send(
            HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/applications")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).path("message").asText())
        .isEqualTo("No operation at GET /nope");
    assertThat(wrong.statusCode()).isEqualTo(405);
    assertThat(wrong.headers().firstValue("Allow")).hasValue("POST");
    assertThat(mock.requests())
        .extracting(RecordedRequest::operationId)
        .containsExactly(null, null);
    assertThat(mock.deliveries()).isEmpty();
  }

  @Test
  void aBodyThatIsNotJsonIsRefused() throws Exception {
    MockService mock = start(KeyRule.roundRobin());

    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/applications"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{oops"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(mock.deliveries()).isEmpty();
  }

  @Test
  void closingDropsCallbacksNotYetSent() throws Exception {
    MockService mock =
        start(
            MockService.builder(acme)
                .keyRule(KeyRule.fixed(APPROVED))
                .callbackDelay(Duration.ofMinutes(10)));
    submit(mock, null);
    URI url = URI.create(mock.baseUrl() + "/applications");
    long start = System.nanoTime();

    mock.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(mock.deliveries()).isEmpty();
    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void aFixedKeyNoOperationHasIsRefusedAtBuild() {
    assertThatThrownBy(() -> MockService.builder(acme).keyRule(KeyRule.fixed("approved")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'approved'");
  }

  @Test
  void keyRulesReadTheirCommandLineForm() {
    Operation op = acme.operation("SubmitApplication").orElseThrow();
    RecordedRequest any =
        new RecordedRequest(
            op.id(),
            "POST",
            "/applications",
            Map.of(),
            Map.of(),
            Map.of(),
            "",
            java.time.Instant.EPOCH);

    assertThat(KeyRule.parse("fixed:" + ERROR).choose(op, any)).isEqualTo(ERROR);
    KeyRule roundRobin = KeyRule.parse("round-robin");
    assertThat(List.of(roundRobin.choose(op, any), roundRobin.choose(op, any)))
        .containsExactly(APPROVED, REJECTED);
    KeyRule a = KeyRule.parse("random:7");
    KeyRule b = KeyRule.random(7);
    for (int i = 0; i < 10; i++) {
      assertThat(a.choose(op, any)).isEqualTo(b.choose(op, any));
    }
    assertThatThrownBy(() -> KeyRule.parse("sometimes"))
        .hasMessageContaining("fixed:KEY, round-robin or random:SEED");
    assertThatThrownBy(() -> KeyRule.parse("random:x")).hasMessageContaining("whole number");
  }
}
