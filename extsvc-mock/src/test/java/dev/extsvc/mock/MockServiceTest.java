package dev.extsvc.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.ServiceDefinition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock bank over real HTTP: answers the Acme operation and calls back where the request says. */
class MockServiceTest {
  static final ObjectMapper JSON = new ObjectMapper();

  record Hit(String path, String method, Map<String, List<String>> headers, JsonNode body, Instant at) {}

  ServiceDefinition acme;
  HttpServer receiver;
  List<Hit> hits = new CopyOnWriteArrayList<>();
  AtomicInteger failuresLeft = new AtomicInteger();
  HttpClient http = HttpClient.newHttpClient();
  MockService mock;

  @BeforeEach
  void setUp() throws IOException {
    acme = Registrar.defaults().register(Path.of("../examples/acme-mortgages.json"), null).service();
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/", ex -> {
      byte[] bytes = ex.getRequestBody().readAllBytes();
      hits.add(new Hit(ex.getRequestURI().getPath(), ex.getRequestMethod(), Map.copyOf(ex.getRequestHeaders()),
          JSON.readTree(bytes), Instant.now()));
      int status = failuresLeft.getAndDecrement() > 0 ? 503 : 200;
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    receiver.start();
  }

  @AfterEach
  void tearDown() {
    if (mock != null) {
      mock.close();
    }
    receiver.stop(0);
  }

  String cb(String name) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/cb/" + name;
  }

  HttpResponse<String> submit(String extraHeader) throws Exception {
    String body = "{\"applicant\":{\"name\":\"Alice\"},\"callbackUrlForOutcomes\":{\"approved\":\"" + cb("approvedTokenA")
        + "\",\"rejected\":\"" + cb("rejectedTokenB") + "\"}}";
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/applications?callbackUrlForErrorCases="
        + URLEncoder.encode(cb("errorTokenC"), StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (extraHeader != null) {
      b.header(MockService.KEY_HEADER, extraHeader);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  MockService start(KeyRule rule, Duration delay) {
    mock = MockService.builder(acme).keyRule(rule).callbackDelay(delay).build().start();
    return mock;
  }

  @Test
  void answersTheOperationWithABodyValidForItsSchema() throws Exception {
    start(KeyRule.fixed("applicationOutcomeApproved"), Duration.ZERO);

    HttpResponse<String> r = submit(null);

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(JSON.readTree(r.body()).get("applicationNumber").isTextual()).isTrue();
    assertThat(mock.requests()).singleElement().satisfies(req -> {
      assertThat(req.operationId()).isEqualTo("SubmitApplication");
      assertThat(req.query().get("callbackUrlForErrorCases")).containsExactly(cb("errorTokenC"));
    });
  }

  @Test
  void sendsTheApprovedCallbackToTheUrlInTheRequestBody() throws Exception {
    start(KeyRule.fixed("applicationOutcomeApproved"), Duration.ZERO);

    submit(null);

    await().atMost(Duration.ofSeconds(10)).until(() -> hits.size() == 1);
    Hit hit = hits.get(0);
    assertThat(hit.path()).isEqualTo("/cb/approvedTokenA");
    assertThat(hit.method()).isEqualTo("POST");
    assertThat(hit.body().has("applicationNumber")).isTrue();
    assertThat(hit.body().has("status")).isTrue();
    assertThat(mock.deliveries()).singleElement().satisfies(d -> {
      assertThat(d.status()).isEqualTo(200);
      assertThat(d.maskedUrl()).endsWith("/cb/appr…").doesNotContain("approvedTokenA");
    });
  }

  @Test
  void sendsTheErrorCallbackToTheQueryUrlWithTheDeclaredHeader() throws Exception {
    start(KeyRule.fixed("applicationError"), Duration.ZERO);

    HttpResponse<String> r = submit(null);

    await().atMost(Duration.ofSeconds(10)).until(() -> hits.size() == 1);
    Hit hit = hits.get(0);
    assertThat(hit.path()).isEqualTo("/cb/errorTokenC");
    String number = JSON.readTree(r.body()).get("applicationNumber").asText();
    assertThat(hit.headers().get("Applicationnumber")).containsExactly(number);
    assertThat(hit.body().get("applicationNumber").asText()).isEqualTo(number);
  }

  @Test
  void roundRobinCyclesThroughTheKeysAndTheHeaderOverridesTheRule() throws Exception {
    start(KeyRule.roundRobin(), Duration.ZERO);

    submit(null);
    submit(null);
    submit(null);
    submit("applicationOutcomeRejected");
    submit("none");

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 4);
    assertThat(mock.deliveries()).extracting(Delivery::key).containsExactlyInAnyOrder(
        "applicationOutcomeApproved", "applicationOutcomeRejected", "applicationError", "applicationOutcomeRejected");
  }

  @Test
  void aSeededRandomRuleIsReproducible() {
    List<String> keys = List.of("a", "b", "c");
    KeyRule first = KeyRule.random(42);
    KeyRule second = KeyRule.random(42);
    List<String> one = new java.util.ArrayList<>();
    List<String> two = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      one.add(first.choose("op", keys));
      two.add(second.choose("op", keys));
    }
    assertThat(one).isEqualTo(two).containsAnyOf("a", "b", "c");
    assertThat(new java.util.HashSet<>(one)).hasSizeGreaterThan(1);
  }

  @Test
  void theDelayIsHonoured() throws Exception {
    start(KeyRule.fixed("applicationOutcomeApproved"), Duration.ofMillis(700));
    Instant before = Instant.now();

    submit(null);

    await().atMost(Duration.ofSeconds(10)).until(() -> hits.size() == 1);
    assertThat(Duration.between(before, hits.get(0).at())).isGreaterThanOrEqualTo(Duration.ofMillis(650));
  }

  @Test
  void aServerErrorAnswerIsRetried() throws Exception {
    mock = MockService.builder(acme).keyRule(KeyRule.fixed("applicationOutcomeApproved"))
        .callbackDelay(Duration.ZERO).retries(2).build().start();
    failuresLeft.set(2);

    submit(null);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    assertThat(hits).hasSize(3);
    assertThat(mock.deliveries().get(0).attempts()).isEqualTo(3);
    assertThat(mock.deliveries().get(0).status()).isEqualTo(200);
  }

  @Test
  void unknownPathsAndMethodsAreRefused() throws Exception {
    start(KeyRule.roundRobin(), Duration.ZERO);

    var missing = http.send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/nope")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    var wrong = http.send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/applications")).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(wrong.statusCode()).isEqualTo(405);
  }

  @Test
  void keyRulesParseTheirCommandLineForm() {
    assertThat(KeyRule.parse("fixed:applicationError")).isEqualTo(KeyRule.fixed("applicationError"));
    assertThat(KeyRule.parse("round-robin")).isInstanceOf(KeyRule.RoundRobin.class);
    assertThat(KeyRule.parse("random:7")).isInstanceOf(KeyRule.Seeded.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyRule.parse("sometimes"))
        .hasMessageContaining("fixed:KEY, round-robin or random:SEED");
  }
}
