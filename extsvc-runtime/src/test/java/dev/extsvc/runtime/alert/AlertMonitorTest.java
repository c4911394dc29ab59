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
            store, clock, node, Duration.ofSeconds(10), rules(), () -> "http://console/", null));
  }

  AlertRules rules() {
    return AlertRules.DEFAULTS
        .withNearDeadline(Duration.ofMinutes(10))
        .withWebhook(new AlertRules.Webhook(hook.url(), Secret.of(WebhookReceiver.SECRET)));
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
  void twoNodesOnOneStorePostAnAlertOnceWhenItFiresAndOnceWhenItResolvesAndBothShowIt()
      throws Exception {
    alive("node-a");
    alive("node-b");
    AlertMonitor a = monitor("node-a");
    AlertMonitor b = monitor("node-b");
    // An invocation near its deadline is a cluster condition: both see it.
    UUID id = UUID.randomUUID();
    store.createInvocation(
        new InvocationRow(
            id,
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
    assertThat(b.firing()).as("one alert, kept in the store").isEqualTo(a.firing());
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 1);
    Thread.sleep(300);
    assertThat(hook.posts).as("posted once, by node-a whose insert won").hasSize(1);
    assertThat(hook.posts.getFirst().body().path("extsvc").path("node").asText())
        .isEqualTo("node-a");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> b.firing().getFirst().delivery().equals("sent (HTTP 200)"));

    store.finish(id, InvocationStatus.CANCELLED, "test", clock.instant(), event(id));
    b.check();
    a.check();

    assertThat(a.firing()).isEmpty();
    assertThat(b.resolved()).isEqualTo(a.resolved()).hasSize(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 2);
    Thread.sleep(300);
    assertThat(hook.posts)
        .extracting(WebhookReceiver.Post::state)
        .containsExactly("firing", "resolved");
    assertThat(hook.posts.get(1).body().path("extsvc").path("node").asText())
        .as("resolved by the node that saw it clear first")
        .isEqualTo("node-b");
  }

  @Test
  void aMonitorStartedAgainOnTheSameStoreShowsTheFiringAlertAndDoesNotPostItAgain()
      throws Exception {
    alive("node-a");
    UUID id = UUID.randomUUID();
    store.createInvocation(pending(id), List.of(), List.of());
    AlertMonitor first = monitor("node-a");
    first.check();
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.posts.size() == 1);
    String fired = first.firing().getFirst().id();
    first.close();

    AlertMonitor again =
        new AlertMonitor(
            new AlertMonitor.Context(
                store.reopen(),
                clock,
                "node-a",
                Duration.ofSeconds(10),
                rules(),
                () -> "http://console/",
                null));
    again.check();
    again.check();

    assertThat(again.firing()).extracting(Alert::id).containsExactly(fired);
    Thread.sleep(300);
    assertThat(hook.posts).hasSize(1);
  }

  static dev.extsvc.runtime.store.NewEvent event(UUID id) {
    return new dev.extsvc.runtime.store.NewEvent(
        id, java.time.Instant.EPOCH, dev.extsvc.runtime.store.EventKind.CANCELLED, "test");
  }

  InvocationRow pending(UUID id) {
    return new InvocationRow(
        id,
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
        null);
  }
}
