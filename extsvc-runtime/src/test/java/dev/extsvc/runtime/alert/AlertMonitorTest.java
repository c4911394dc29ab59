package dev.extsvc.runtime.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.Alert;
import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.testing.InMemoryStore;
import dev.extsvc.runtime.testing.SettableClock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertMonitorTest {
  final InMemoryStore store = new InMemoryStore();
  final SettableClock clock = new SettableClock();
  final WebhookReceiver hook = new WebhookReceiver();

  @AfterEach
  void stop() {
    hook.close();
  }

  AlertMonitor monitor(String node) {
    return new AlertMonitor(
        new AlertMonitor.Context(
            store,
            clock,
            node,
            Duration.ofSeconds(10),
            AlertRules.DEFAULTS
                .withNearDeadline(Duration.ofMinutes(10))
                .withWebhook(new AlertRules.Webhook(hook.url(), Secret.of(WebhookReceiver.SECRET))),
            () -> "http://console/",
            null));
  }

  void alive(String id) {
    store.registerNode(new NodeRow(id, "host-" + id, "1", clock.instant(), clock.instant()));
  }

  @Test
  void aGoneNodeIsAnAlertOfTheNodeThatRemovedItUntilTheClusterIsWholeAgain() {
    alive("node-b");
    NodeRow a = new NodeRow("node-a", "host-a", "1", clock.instant(), clock.instant());
    AlertMonitor b = monitor("node-b");

    b.nodesRemoved(List.of(a), 1);
    b.check();
    b.check();

    assertThat(b.firing())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo(Alert.Rule.NODE_GONE);
              assertThat(x.subject()).isEqualTo("node-a");
              assertThat(x.summary()).contains("host-a").contains("2 nodes were running");
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 1);

    alive("node-c"); // a replacement joins
    b.check();

    assertThat(b.firing()).isEmpty();
    assertThat(b.resolved()).extracting(Alert::subject).containsExactly("node-a");
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 2);
    assertThat(hook.posts)
        .extracting(WebhookReceiver.Post::state)
        .containsExactly("firing", "resolved");
  }

  @Test
  void onlyTheAlertingNodePostsAlertsAboutTheClusterButEveryNodeShowsThem() throws Exception {
    alive("node-a");
    alive("node-b");
    AlertMonitor a = monitor("node-a");
    AlertMonitor b = monitor("node-b");
    // An invocation near its deadline is a cluster condition: both see it.
    store.createInvocation(
        new InvocationRow(
            UUID.randomUUID(),
            "acme",
            "submit",
            true,
            InvocationStatus.PENDING,
            null,
            null,
            null,
            "{}",
            null,
            null,
            null,
            clock.instant(),
            clock.instant().plusSeconds(60),
            null),
        List.of(),
        List.of());

    a.check();
    b.check();

    assertThat(a.firing()).extracting(Alert::rule).containsExactly(Alert.Rule.NEAR_DEADLINE);
    assertThat(b.firing()).extracting(Alert::rule).containsExactly(Alert.Rule.NEAR_DEADLINE);
    assertThat(b.firing().getFirst().delivery()).isEqualTo("sent by the alerting node");
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 1);
    Thread.sleep(300);
    assertThat(hook.posts).as("posted once, by node-a").hasSize(1);
    assertThat(hook.posts.getFirst().body().path("extsvc").path("node").asText())
        .isEqualTo("node-a");
  }
}
