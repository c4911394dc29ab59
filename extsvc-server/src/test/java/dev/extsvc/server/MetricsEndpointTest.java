package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.Acknowledgement;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.spec.RequestParts;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} after a run like the demo's (the Acme spec, a SQLite store, callbacks over
 * HTTP): the Prometheus text is parsed and every meter family shows the counts of what happened.
 */
@Timeout(120)
class MetricsEndpointTest {
  static final String APPROVED = "applicationOutcomeApproved";
  static final String REJECTED = "applicationOutcomeRejected";
  static final String APPROVED_BODY =
      "{\"applicationNumber\":\"A-1001\",\"status\":\"approved\",\"approvedAmount\":350000}";
  static final String REJECTED_BODY =
      "{\"applicationNumber\":\"A-1001\",\"errorMessage\":\"income too low\"}";
  static final String ACME = "service=\"Acme Mortgages\"";
  static final String SUBMIT = "operation=\"SubmitApplication\"";

  @TempDir Path dir;
  Fixture f;
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  void start(Consumer<dev.extsvc.runtime.ExternalServices.Builder> extra) {
    f =
        new Fixture(dir, b -> extra.accept(b.meterRegistry(registry)), s -> s.metrics(registry))
            .withAcme();
  }

  @BeforeEach
  void reset() {
    RecordingHandler.reset();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
    RecordingHandler.reset();
  }

  InvocationResult submit(String applicant, Duration timeout) {
    try {
      RequestParts input =
          new RequestParts()
              .body(
                  new ObjectMapper().readTree("{\"applicant\":{\"name\":\"" + applicant + "\"}}"));
      return f.services.invoke(
          Fixture.ACME,
          "SubmitApplication",
          input,
          new RecordingHandler(applicant, APPROVED),
          timeout);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void eachMeterShowsTheRightCountsAfterADemoLikeRun() throws Exception {
    start(b -> {});
    // two approved (handled), one rejected (the handler does not take it) then cancelled, one
    // whose handler fails (500, stays pending), one timed out, one unknown token
    for (String applicant : new String[] {"Ada", "Grace"}) {
      InvocationResult r = submit(applicant, null);
      assertThat(f.postJson(r.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
          .isEqualTo(200);
    }
    InvocationResult rejected = submit("Alan", null);
    assertThat(f.postJson(rejected.callbackUrls().get(REJECTED), REJECTED_BODY).statusCode())
        .isEqualTo(404);
    assertThat(f.services.cancel(rejected.invocationId(), "withdrawn")).isTrue();
    InvocationResult failing = submit("Edsger", null);
    RecordingHandler.FAILURES_LEFT.set(1);
    assertThat(f.postJson(failing.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(500);
    submit("Barbara", Duration.ofMinutes(5));
    f.clock.advance(Duration.ofMinutes(10));
    assertThat(f.services.sweepNow()).isEqualTo(1);
    String unknown = "A".repeat(43);
    assertThat(
            f.postJson(f.server.localUrl() + "/callbacks/" + unknown, APPROVED_BODY).statusCode())
        .isEqualTo(404);

    Map<String, Double> m = scrape(f.server.localUrl());

    assertThat(m)
        .containsEntry(
            series("extsvc_invocations_finished_total", SUBMIT, ACME, "status=\"COMPLETED\""), 2.0)
        .containsEntry(
            series("extsvc_invocations_finished_total", SUBMIT, ACME, "status=\"CANCELLED\""), 1.0)
        .containsEntry(
            series("extsvc_invocations_finished_total", SUBMIT, ACME, "status=\"TIMED_OUT\""), 1.0)
        .containsEntry(
            series(
                "extsvc_callbacks_total", "code=\"200\"", "key=\"" + APPROVED + "\"", SUBMIT, ACME),
            2.0)
        .containsEntry(
            series(
                "extsvc_callbacks_total", "code=\"404\"", "key=\"" + REJECTED + "\"", SUBMIT, ACME),
            1.0)
        .containsEntry(
            series(
                "extsvc_callbacks_total", "code=\"500\"", "key=\"" + APPROVED + "\"", SUBMIT, ACME),
            1.0)
        .containsEntry(
            series(
                "extsvc_callbacks_total",
                "code=\"404\"",
                "key=\"none\"",
                "operation=\"none\"",
                "service=\"none\""),
            1.0)
        .containsEntry(series("extsvc_callbacks_unknown_token_total", "code=\"404\""), 1.0)
        .containsEntry(
            series("extsvc_callback_delay_seconds_count", "key=\"" + APPROVED + "\"", SUBMIT, ACME),
            3.0)
        .containsEntry(
            series("extsvc_callback_delay_seconds_count", "key=\"" + REJECTED + "\"", SUBMIT, ACME),
            1.0)
        .containsEntry(
            series(
                "extsvc_handler_duration_seconds_count",
                "key=\"" + APPROVED + "\"",
                SUBMIT,
                "outcome=\"handled\"",
                ACME),
            2.0)
        .containsEntry(
            series(
                "extsvc_handler_duration_seconds_count",
                "key=\"" + REJECTED + "\"",
                SUBMIT,
                "outcome=\"not-handled\"",
                ACME),
            1.0)
        .containsEntry(
            series(
                "extsvc_handler_duration_seconds_count",
                "key=\"" + APPROVED + "\"",
                SUBMIT,
                "outcome=\"failed\"",
                ACME),
            1.0)
        .containsEntry(series("extsvc_invocations", "status=\"COMPLETED\""), 2.0)
        .containsEntry(series("extsvc_invocations", "status=\"PENDING\""), 1.0)
        .containsEntry(series("extsvc_invocations", "status=\"CANCELLED\""), 1.0)
        .containsEntry(series("extsvc_invocations", "status=\"TIMED_OUT\""), 1.0)
        .containsEntry(series("extsvc_invocations_overdue"), 0.0)
        .containsEntry(series("extsvc_sweeper_lag_seconds"), 0.0)
        .containsEntry(series("extsvc_callbacks_queued"), 0.0)
        .containsEntry(series("extsvc_callbacks_dead"), 0.0)
        .containsEntry(
            series("extsvc_store_duration_seconds_count", "method=\"createInvocation\""), 5.0);
    // the pending one (Edsger's) is due 24 h after it was submitted, by the test clock
    UUID pending = failing.invocationId();
    double deadline = f.services.invocation(pending).orElseThrow().deadline().getEpochSecond();
    assertThat(m.get(series("extsvc_invocations_next_deadline_seconds"))).isEqualTo(deadline);
    // the histogram of the callback delay has buckets (a heatmap can be drawn)
    assertThat(m.keySet()).anyMatch(k -> k.startsWith("extsvc_callback_delay_seconds_bucket{"));
    assertThat(m.keySet()).noneMatch(k -> k.startsWith("extsvc_store_errors_total"));

    // a store that fails is counted: the next calls throw, and the errors show
    f.store.close();
    assertThatThrownBy(() -> f.services.invocation(pending)).isInstanceOf(RuntimeException.class);
    Map<String, Double> after = scrape(f.server.localUrl());
    assertThat(after.entrySet())
        .anyMatch(
            e ->
                e.getKey().startsWith("extsvc_store_errors_total{")
                    && e.getKey().contains("method=\"invocation\"")
                    && e.getValue() == 1.0);
  }

  @Test
  void theDurableQueueAndDeadCallbacksAreGauges() throws Exception {
    start(
        b ->
            b.acknowledgement(Fixture.ACME, Acknowledgement.DURABLE)
                .durableRetries(2, Duration.ofMinutes(1), Duration.ofMinutes(1)));
    // the first fails twice: dead; the second fails once: its retry waits in the queue
    RecordingHandler.FAILURES_LEFT.set(2);
    InvocationResult dead = submit("Ada", null);
    assertThat(f.postJson(dead.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(200);
    awaitOutcome(dead, CallbackOutcome.FAILED, false);
    f.clock.advance(Duration.ofMinutes(2));
    f.services.processDueCallbacks();
    awaitOutcome(dead, CallbackOutcome.FAILED, true);
    RecordingHandler.FAILURES_LEFT.set(1);
    InvocationResult retrying = submit("Grace", null);
    assertThat(f.postJson(retrying.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(200);
    awaitOutcome(retrying, CallbackOutcome.FAILED, false);

    Map<String, Double> m = scrape(f.server.localUrl());

    assertThat(m)
        .containsEntry(series("extsvc_callbacks_dead"), 1.0)
        .containsEntry(series("extsvc_callbacks_queued"), 1.0)
        .containsEntry(series("extsvc_invocations", "status=\"PENDING\""), 2.0)
        .containsEntry(
            series(
                "extsvc_handler_duration_seconds_count",
                "key=\"" + APPROVED + "\"",
                SUBMIT,
                "outcome=\"failed\"",
                ACME),
            3.0);
  }

  @Test
  void metricsNeedTheAdminTokenWhenOneIsSet() throws Exception {
    f =
        new Fixture(
                dir,
                b -> b.meterRegistry(registry),
                s -> s.metrics(registry).adminToken("a-long-enough-admin-token"))
            .withAcme();
    HttpClient http = HttpClient.newHttpClient();
    URI metrics = URI.create(f.server.localUrl() + "/metrics");

    HttpResponse<String> without =
        http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> with =
        http.send(
            HttpRequest.newBuilder(metrics)
                .header("Authorization", "Bearer a-long-enough-admin-token")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(without.statusCode()).isEqualTo(401);
    assertThat(without.body()).doesNotContain("extsvc_");
    assertThat(with.statusCode()).isEqualTo(200);
    assertThat(with.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
    assertThat(with.body()).contains("# TYPE extsvc_invocations gauge");
  }

  void awaitOutcome(InvocationResult r, CallbackOutcome outcome, boolean dead) {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(f.services.callbacks(r.invocationId()))
                    .singleElement()
                    .satisfies(
                        c -> {
                          assertThat(c.outcome()).isEqualTo(outcome);
                          assertThat(c.deadAt() != null).isEqualTo(dead);
                        }));
  }

  /** A series' key as {@link #scrape} writes it: the name, then the labels sorted. */
  static String series(String name, String... labels) {
    java.util.List<String> sorted = new java.util.ArrayList<>(java.util.List.of(labels));
    java.util.Collections.sort(sorted);
    return labels.length == 0 ? name : name + "{" + String.join(",", sorted) + "}";
  }

  static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? ([-+0-9.eE]+|NaN|[+-]Inf)");
  static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** GET /metrics, parsed: each sample by name and sorted labels. */
  static Map<String, Double> scrape(String server) throws Exception {
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server + "/metrics"))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    Map<String, Double> samples = new TreeMap<>();
    for (String line : answer.body().lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a sample line: %s", line).isTrue();
      java.util.List<String> labels = new java.util.ArrayList<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.add(l.group(1) + "=\"" + l.group(2) + "\"");
        }
      }
      samples.put(
          series(m.group(1), labels.toArray(String[]::new)),
          Double.parseDouble(m.group(3).replace("Inf", "Infinity")));
    }
    return samples;
  }
}
