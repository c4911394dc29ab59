package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.testing.InMemoryStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code build()} wires the stages, loads stored services, and only then starts the worker and the
 * sweeper.
 */
class BuilderStartTest {
  final StoreStub stub = new StoreStub();

  @Test
  void aBuiltRuntimeIsRunning() {
    try (ExternalServices services = builder().build()) {
      await().atMost(Duration.ofSeconds(5)).until(services::sweeperAlive);
      await().atMost(Duration.ofSeconds(5)).until(() -> !stub.calls("dueCallbacks").isEmpty());
      assertThat(stub.calls("services")).hasSize(1);
    }
  }

  @Test
  void aRuntimeBuiltWithoutTheSweeperStaysStoppedUntilAskedToSweep() throws InterruptedException {
    try (ExternalServices services = builder().startSweeper(false).build()) {
      Thread.sleep(200);

      assertThat(services.sweeperAlive()).isFalse();
      assertThat(stub.calls("dueInvocations")).isEmpty();
      assertThat(stub.calls("dueCallbacks")).isEmpty();
      assertThat(services.sweepNow()).isZero();
      assertThat(stub.calls("dueInvocations")).hasSize(1);
    }
  }

  @Test
  void aRuntimeRegistersItsNodeHeartbeatsAndDeregistersWhenClosed() {
    InMemoryStore store = new InMemoryStore();
    try (ExternalServices services =
        builder()
            .store(store)
            .nodeId("node-7")
            .heartbeatInterval(Duration.ofMillis(20))
            .nodeTimeout(Duration.ofSeconds(1))
            .build()) {
      assertThat(services.nodeId()).isEqualTo("node-7");
      assertThat(store.nodes()).extracting(NodeRow::id).containsExactly("node-7");
      var registered = store.nodes().get(0).heartbeatAt();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> store.nodes().get(0).heartbeatAt().isAfter(registered));
    }
    assertThat(store.nodes()).isEmpty();
  }

  @Test
  void withoutANodeIdOneIsGeneratedAndABadOneIsRefused() {
    try (ExternalServices services = builder().startSweeper(false).build()) {
      assertThat(services.nodeId()).matches(".+-[0-9a-f]{6}");
    }
    assertThatThrownBy(() -> builder().nodeId("a node"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodeId")
        .hasMessageContaining("'a node'");
    assertThatThrownBy(
            () ->
                builder()
                    .heartbeatInterval(Duration.ofSeconds(10))
                    .nodeTimeout(Duration.ofSeconds(5))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodeTimeout");
  }

  private ExternalServices.Builder builder() {
    return ExternalServices.builder()
        .store(stub.store())
        .publicBaseUrl("https://hooks.example.com")
        .sweepInterval(Duration.ofMillis(10));
  }
}
