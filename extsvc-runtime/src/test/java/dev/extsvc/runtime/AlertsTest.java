package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.ACME;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.alert.WebhookReceiver;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.store.CallbackRow;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts end to end on the runtime: conditions found by the rules on a test clock, each alert fired
 * once and resolved once, posted to a local webhook with a Standard Webhooks signature.
 */
class AlertsTest {
  final WebhookReceiver hook = new WebhookReceiver();
  RuntimeFixture f;

  @BeforeEach
  void reset() {
    TestHandler.reset();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
    hook.close();
  }

  AlertRules.Webhook webhook() {
    return new AlertRules.Webhook(hook.url(), Secret.of(WebhookReceiver.SECRET));
  }

  @Test
  void aNearDeadlineAlertFiresOnceAndResolvesWhenTheCallbackComes() {
    f =
        new RuntimeFixture(
                b ->
                    b.alerts(
                        AlertRules.NONE
                            .withNearDeadline(Duration.ofMinutes(10))
                            .withWebhook(webhook())))
            .withAcme();
    InvocationResult r = f.submit(new TestHandler("Ada", APPROVED), Duration.ofHours(1));
    f.services.checkAlerts();
    assertThat(f.services.alerts()).as("50 min before the deadline").isEmpty();

    f.clock.advance(Duration.ofMinutes(52));
    f.services.checkAlerts();
    f.clock.advance(Duration.ofMinutes(1));
    f.services.checkAlerts();

    assertThat(f.services.alerts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.rule()).isEqualTo(Alert.Rule.NEAR_DEADLINE);
              assertThat(a.subject()).isEqualTo(ACME + "/SubmitApplication");
              assertThat(a.summary()).contains("1 invocation of").contains("due in 7 min");
              assertThat(a.invocations()).containsExactly(r.invocationId());
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 1);

    f.approve(r);
    f.services.checkAlerts();
    f.services.checkAlerts();

    assertThat(f.services.alerts()).isEmpty();
    assertThat(f.services.resolvedAlerts())
        .singleElement()
        .satisfies(a -> assertThat(a.resolvedAt()).isEqualTo(f.clock.instant()));
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 2);
    assertThat(hook.posts)
        .extracting(WebhookReceiver.Post::state)
        .containsExactly("firing", "resolved");
    assertThat(hook.posts).allMatch(WebhookReceiver.Post::signatureValid);
    assertThat(hook.posts.get(0).alertId()).isEqualTo(hook.posts.get(1).alertId());
    assertThat(hook.posts.get(0).messageId()).isNotEqualTo(hook.posts.get(1).messageId());
    assertThat(hook.posts.get(0).body().path("text").asText())
        .startsWith("[extsvc] FIRING near-deadline (Acme Mortgages/SubmitApplication)");
    assertThat(
            hook.posts
                .get(0)
                .body()
                .path("extsvc")
                .path("invocations")
                .get(0)
                .path("console")
                .asText())
        .isEqualTo(RuntimeFixture.BASE_URL + "/console/invocations/" + r.invocationId());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.services.resolvedAlerts().getFirst().delivery().equals("sent (HTTP 200)"));
  }

  @Test
  void handlerFailuresAndADeadCallbackReachTheWebhookSignedAndResolveAfterAReplay() {
    f =
        new RuntimeFixture(
                b ->
                    b.acknowledgement(ACME, Acknowledgement.DURABLE)
                        .durableRetries(1, Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .alerts(
                            AlertRules.DEFAULTS
                                .withHandlerFailureRate(
                                    new AlertRules.FailureRate(0.2, Duration.ofMinutes(10), 1))
                                .withWebhook(webhook())))
            .withAcme();
    InvocationResult r = f.submit(new TestHandler("Bo", APPROVED));
    TestHandler.FAILURES_LEFT.set(100);
    f.approve(r);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.services.callbacks(r.invocationId()).getFirst().dead());

    f.services.checkAlerts();

    assertThat(f.services.alerts())
        .extracting(Alert::rule)
        .containsExactlyInAnyOrder(Alert.Rule.HANDLER_FAILURE_RATE, Alert.Rule.DEAD_CALLBACKS);
    assertThat(f.services.alerts())
        .filteredOn(a -> a.rule() == Alert.Rule.DEAD_CALLBACKS)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.summary()).startsWith("1 dead callback:").contains(APPROVED);
              assertThat(a.invocations()).containsExactly(r.invocationId());
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 2);
    assertThat(hook.posts)
        .extracting(WebhookReceiver.Post::rule)
        .containsExactlyInAnyOrder("handler-failure-rate", "dead-callbacks");
    assertThat(hook.posts).allMatch(WebhookReceiver.Post::signatureValid);

    TestHandler.FAILURES_LEFT.set(0);
    CallbackRow dead = f.services.callbacks(r.invocationId()).getFirst();
    assertThat(f.services.replay(dead.id()).status()).isEqualTo(200);
    f.services.checkAlerts();

    assertThat(f.services.alerts()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 4);
    assertThat(hook.posts.subList(2, 4))
        .extracting(WebhookReceiver.Post::state)
        .containsOnly("resolved");
  }

  @Test
  void aWebhookThatKeepsFailingIsRetriedAndTheAlertSaysItWasNotSent() {
    hook.status = 503;
    f =
        new RuntimeFixture(
                b ->
                    b.alerts(
                        AlertRules.NONE
                            .withNearDeadline(Duration.ofMinutes(10))
                            .withWebhook(webhook())))
            .withAcme();
    f.submit(new TestHandler("Cy", APPROVED), Duration.ofMinutes(8));

    f.services.checkAlerts();

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> f.services.alerts().getFirst().delivery().startsWith("not sent"));
    assertThat(f.services.alerts().getFirst().delivery())
        .startsWith("not sent: HTTP 503 after 3 attempts to the webhook; trying again at ")
        .doesNotContain("secretpart");
    assertThat(hook.posts).hasSize(3);

    // The next round is due 5 minutes later, on the store's record: the same alert, not a new one.
    hook.status = 200;
    f.services.checkAlerts();
    assertThat(hook.posts).as("not due yet").hasSize(3);
    f.clock.advance(Duration.ofMinutes(5));
    f.services.checkAlerts();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.services.alerts().getFirst().delivery().equals("sent (HTTP 200)"));
    assertThat(hook.posts)
        .hasSize(4)
        .extracting(WebhookReceiver.Post::state)
        .containsOnly("firing");
    assertThat(hook.posts.get(3).messageId()).isEqualTo(hook.posts.get(0).messageId());
    assertThat(f.store.firingAlerts().getFirst().delivery().attempts()).isEqualTo(4);
  }

  @Test
  void withoutAWebhookAlertsAreShownAndSaySo() {
    f = new RuntimeFixture(b -> b.alerts(AlertRules.DEFAULTS)).withAcme();
    f.store.unavailable(true);
    try {
      f.services.checkAlerts();
    } finally {
      f.store.unavailable(false);
    }

    List<Alert> firing = f.services.alerts();
    assertThat(firing)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.rule()).isEqualTo(Alert.Rule.STORE_ERRORS);
              assertThat(a.subject()).isEqualTo(f.services.nodeId());
              assertThat(a.summary()).contains("cannot use the store");
              assertThat(a.delivery()).isEqualTo("not sent: no webhook configured");
            });

    f.services.checkAlerts();
    assertThat(f.services.alerts()).as("the store answers again").isEmpty();
    assertThat(f.services.resolvedAlerts())
        .extracting(Alert::rule)
        .containsExactly(Alert.Rule.STORE_ERRORS);
  }

  @Test
  void rulesRefuseValuesThatMakeNoSense() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new AlertRules.FailureRate(1.5, Duration.ofMinutes(1), 1))
        .hasMessageContaining("alerts.handlerFailureRate.above");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new AlertRules.Webhook(java.net.URI.create("ftp://x/y"), null))
        .hasMessageContaining("alerts.webhook.url");
  }
}
