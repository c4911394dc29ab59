package dev.extsvc.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Callouts answered 500 or late, and callbacks retried on a schedule: the mock over real HTTP on
 * loopback, driven by the Acme Mortgages document.
 */
class ProviderFaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APPROVED = "applicationOutcomeApproved";

  private static ServiceDefinition acme;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<MockService> mocks = new ArrayList<>();
  private Receiver receiver;

  @BeforeAll
  static void register() {
    Registration r =
        Registrar.defaults().register(Path.of("../examples/acme-mortgages.json"), null);
    assertThat(r.report().errors()).isEmpty();
    acme = r.service();
  }

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = new Receiver();
  }

  @AfterEach
  void stopAll() {
    mocks.forEach(MockService::close);
    receiver.close();
  }

  private MockService start(ProviderFaults faults) {
    MockService mock =
        MockService.builder(acme)
            .keyRule(KeyRule.fixed(APPROVED))
            .callbackDelay(Duration.ZERO)
            .faults(faults)
            .build()
            .start();
    mocks.add(mock);
    return mock;
  }

  private HttpRequest submission(MockService mock) {
    String body =
        JSON.createObjectNode()
            .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                "applicant", JSON.createObjectNode().put("name", "Ann"))
            .set(
                "callbackUrlForOutcomes",
                JSON.createObjectNode()
                    .put("approved", receiver.url("approvedTokenAAAAAAAAAAAAAAAAAAAAAAAA"))
                    .put("rejected", receiver.url("rejectedTokenBBBBBBBBBBBBBBBBBBBBBBBB")))
            .toString();
    return HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/applications"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private int submit(MockService mock) throws Exception {
    return http.send(submission(mock), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void theFirstCalloutsAndThenAShareOfTheRestAreAnswered500AndGetNoCallback() throws Exception {
    MockService mock = start(ProviderFaults.NONE.withFailFirst(2).withFailShare(0.25));

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      statuses.add(submit(mock));
    }

    // the first two, then every fourth of the rest (the 6th and the 10th)
    assertThat(statuses).containsExactly(500, 500, 201, 201, 201, 500, 201, 201, 201, 500);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 6);
    Thread.sleep(200); // no late seventh callback
    assertThat(receiver.received()).hasSize(6);
    assertThat(mock.requests()).hasSize(10);
  }

  @Test
  void aShareSpreadsEvenlyAndAFullShareFailsEveryCallout() {
    ProviderFaults third = ProviderFaults.NONE.withFailShare(1.0 / 3);
    assertThat(LongStream.rangeClosed(1, 9).filter(third::fails).boxed().toList())
        .containsExactly(3L, 6L, 9L);
    ProviderFaults all = ProviderFaults.NONE.withFailShare(1);
    assertThat(LongStream.rangeClosed(1, 5).allMatch(all::fails)).isTrue();
    assertThat(LongStream.rangeClosed(1, 100).noneMatch(ProviderFaults.NONE::fails)).isTrue();
    assertThatThrownBy(() -> ProviderFaults.NONE.withFailShare(1.5))
        .hasMessageContaining("failShare is a share from 0 to 1");
  }

  @Test
  void aLateAnswerOutlastsACallersTimeoutAndItsCallbackStillComes() throws Exception {
    MockService mock = start(ProviderFaults.NONE.withLate(Duration.ofMillis(800), 1));

    HttpRequest impatient =
        HttpRequest.newBuilder(submission(mock), (n, v) -> true)
            .timeout(Duration.ofMillis(300))
            .build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> http.send(impatient, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(790));

    start = System.nanoTime();
    assertThat(submit(mock)).isEqualTo(201);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(800));
    // the provider took both requests: both callbacks come
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 2);
  }

  @Test
  void aLateShareDelaysOnlyItsCallouts() {
    ProviderFaults half = ProviderFaults.NONE.withLate(Duration.ofSeconds(5), 0.5);
    assertThat(half.lateness(1)).isZero();
    assertThat(half.lateness(2)).isEqualTo(Duration.ofSeconds(5));
    assertThat(ProviderFaults.NONE.lateness(1)).isZero();
  }

  @Test
  void aCallbackAnswered503TwiceIsRetriedOnTheScheduleWithTheSameIdUntil200() throws Exception {
    receiver.answer(503, 503);
    // 0 s, 5 s, 10 s compressed 25 times: 0, 200 ms, 400 ms
    RetrySchedule schedule =
        new RetrySchedule(
            List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(10)), 0.04);
    MockService mock = start(ProviderFaults.NONE.withRetrySchedule(schedule));

    assertThat(submit(mock)).isEqualTo(201);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    List<Receiver.Received> got = receiver.received();
    assertThat(got).hasSize(3);
    String id = got.get(0).headers().get(Scenario.EVENT_ID_HEADER);
    assertThat(id).isNotBlank();
    assertThat(got).allSatisfy(r -> assertThat(r.headers()).containsEntry("Idempotency-Key", id));
    assertThat(got).extracting(Receiver.Received::body).containsOnly(got.get(0).body());
    Duration first = Duration.between(got.get(0).receivedAt(), got.get(1).receivedAt());
    Duration second = Duration.between(got.get(1).receivedAt(), got.get(2).receivedAt());
    Duration tolerance = Duration.ofMillis(1500); // a loaded machine sends late, never early
    assertThat(first).isBetween(Duration.ofMillis(190), Duration.ofMillis(200).plus(tolerance));
    assertThat(second).isBetween(Duration.ofMillis(390), Duration.ofMillis(400).plus(tolerance));

    assertThat(mock.attempts())
        .extracting(CallbackAttempt::attempt, CallbackAttempt::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, 503),
            org.assertj.core.groups.Tuple.tuple(2, 503),
            org.assertj.core.groups.Tuple.tuple(3, 200));
    assertThat(mock.attempts()).extracting(CallbackAttempt::eventId).containsOnly(id);
    assertThat(mock.attempts()).allSatisfy(a -> assertThat(a.maskedUrl()).doesNotContain("AAAA"));
    Delivery d = mock.deliveries().get(0);
    assertThat(d.attempts()).isEqualTo(3);
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.headers()).containsEntry(Scenario.EVENT_ID_HEADER, id);
  }

  @Test
  void onAScheduleAClientErrorIsRetriedTooAndTheSeriesEndsAfterItsLastAttempt() throws Exception {
    receiver.answerAlways(404);
    MockService mock =
        start(ProviderFaults.NONE.withRetrySchedule(RetrySchedule.parse("0ms,10ms,10ms", 1)));

    submit(mock);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    assertThat(receiver.received()).hasSize(3);
    assertThat(mock.deliveries().get(0).succeeded()).isFalse();
    assertThat(mock.deliveries().get(0).attempts()).isEqualTo(3);
    assertThat(mock.attempts()).extracting(CallbackAttempt::status).containsExactly(404, 404, 404);
  }

  @Test
  void aRetryAfterOf429WaitsThatLongInsteadOfTheSchedulesNextDelay() throws Exception {
    receiver.answerRetryAfter(429, "1");
    // the schedule alone would retry after 10 ms; the receiver asks for 1 s, within the 5 s bound
    MockService mock =
        start(ProviderFaults.NONE.withRetrySchedule(RetrySchedule.parse("0ms,10ms,5s", 1)));

    assertThat(submit(mock)).isEqualTo(201);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    List<Receiver.Received> got = receiver.received();
    assertThat(got).hasSize(2);
    Duration waited = Duration.between(got.get(0).receivedAt(), got.get(1).receivedAt());
    // a loaded machine sends late, never early
    assertThat(waited).isBetween(Duration.ofMillis(990), Duration.ofMillis(1000 + 1500));
    assertThat(mock.attempts())
        .extracting(CallbackAttempt::attempt, CallbackAttempt::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, 429),
            org.assertj.core.groups.Tuple.tuple(2, 200));
    assertThat(mock.deliveries().get(0).succeeded()).isTrue();
  }

  @Test
  void aRetryAfterLongerThanTheSchedulesLongestWaitIsCutToIt() throws Exception {
    receiver.answerRetryAfter(503, "3600");
    MockService mock =
        start(ProviderFaults.NONE.withRetrySchedule(RetrySchedule.parse("0ms,10ms,300ms", 1)));

    submit(mock);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    List<Receiver.Received> got = receiver.received();
    assertThat(got).hasSize(2);
    assertThat(Duration.between(got.get(0).receivedAt(), got.get(1).receivedAt()))
        .isBetween(Duration.ofMillis(290), Duration.ofMillis(300 + 1500));
    assertThat(mock.deliveries().get(0).status()).isEqualTo(200);
  }

  @Test
  void withoutAScheduleA429WithRetryAfterIsRetriedAndOneWithoutItIsNot() throws Exception {
    receiver.answerRetryAfter(429, "0").answer(429);
    MockService mock = start(ProviderFaults.NONE);

    submit(mock);

    await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    Thread.sleep(300); // no third attempt after the plain 429
    assertThat(mock.attempts()).extracting(CallbackAttempt::status).containsExactly(429, 429);
    assertThat(mock.deliveries().get(0).succeeded()).isFalse();
  }

  @Test
  void retryAfterIsReadAsSecondsOrAnHttpDate() {
    Instant now = Instant.parse("2026-10-21T07:28:00Z");
    assertThat(CallbackSender.retryAfter("120", now)).isEqualTo(Duration.ofMinutes(2));
    assertThat(CallbackSender.retryAfter(" 0 ", now)).isZero();
    assertThat(CallbackSender.retryAfter("Wed, 21 Oct 2026 07:28:30 GMT", now))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(CallbackSender.retryAfter("Wed, 21 Oct 2026 07:27:00 GMT", now)).isZero();
    assertThat(CallbackSender.retryAfter("soon", now)).isNull();
    assertThat(CallbackSender.retryAfter("-5", now)).isNull();
  }

  @Test
  void theStandardWebhooksScheduleCompressesByItsScale() {
    RetrySchedule s = RetrySchedule.standardWebhooks(0.001);
    assertThat(s.attempts()).isEqualTo(8);
    assertThat(s.waitBefore(1)).isZero();
    assertThat(s.waitBefore(2)).isEqualTo(Duration.ofMillis(5));
    assertThat(s.waitBefore(3)).isEqualTo(Duration.ofMillis(300));
    assertThat(s.waitBefore(8)).isEqualTo(Duration.ofSeconds(36));
    assertThat(RetrySchedule.parse("standard", 1)).isEqualTo(RetrySchedule.standardWebhooks(1));
    assertThatThrownBy(() -> RetrySchedule.parse("0s,soon", 1))
        .hasMessageContaining("'soon' is not a duration");
    assertThatThrownBy(() -> RetrySchedule.standardWebhooks(0)).hasMessageContaining("positive");
  }

  @Test
  void aScenarioFileSaysFaultsBesideItsSteps() throws IOException {
    Path file = dir.resolve("scenario.yaml");
    Files.writeString(
        file,
        """
        steps:
          - {key: applicationOutcomeApproved}
        failFirst: 1
        failShare: 0.5
        lateBy: 2s
        lateShare: 0.25
        retrySchedule: [0s, 5s, 5m]
        retryScale: 0.01
        """);

    assertThat(Scenario.load(file).steps()).hasSize(1);
    assertThat(ProviderFaults.load(file))
        .isEqualTo(
            new ProviderFaults(
                1,
                0.5,
                Duration.ofSeconds(2),
                0.25,
                new RetrySchedule(
                    List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5)), 0.01)));

    Files.writeString(file, "steps: [{key: a}]\nretrySchedule: standard\n");
    assertThat(ProviderFaults.load(file).retrySchedule())
        .isEqualTo(RetrySchedule.standardWebhooks(1));
    Files.writeString(file, "steps: [{key: a}]\nretryScale: 0.1\n");
    assertThatThrownBy(() -> ProviderFaults.load(file))
        .hasMessageContaining("retryScale needs a retrySchedule");
  }
}
