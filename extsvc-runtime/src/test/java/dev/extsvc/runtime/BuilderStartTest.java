package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
      assertThat(stub.calls("timeOutDue")).isEmpty();
      assertThat(stub.calls("dueCallbacks")).isEmpty();
      assertThat(services.sweepNow()).isZero();
      assertThat(stub.calls("timeOutDue")).hasSize(1);
    }
  }

  private ExternalServices.Builder builder() {
    return ExternalServices.builder()
        .store(stub.store())
        .publicBaseUrl("https://hooks.example.com")
        .sweepInterval(Duration.ofMillis(10));
  }
}
