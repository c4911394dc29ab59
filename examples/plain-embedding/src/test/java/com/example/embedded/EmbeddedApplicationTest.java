package com.example.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.Registrar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedApplicationTest {
  static final Path SPEC = Path.of("../acme-mortgages.json");

  @Test
  void theBanksCallbackReachesTheHandlerThroughTheApplicationsOwnServer(@TempDir Path data)
      throws Exception {
    var acme =
        Registrar.defaults().register(Files.readString(SPEC), null).serviceIfOk().orElseThrow();
    try (var bank =
            MockService.builder(acme)
                .callbackDelay(Duration.ofMillis(100))
                .keyRule(KeyRule.fixed("applicationOutcomeApproved"))
                .build()
                .start();
        var app = new EmbeddedApplication(bank.baseUrl(), data.resolve("extsvc.db"), SPEC)) {
      UUID id = app.submit("Ann");

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  app.services().invocation(id).orElseThrow().status()
                      == InvocationStatus.COMPLETED);
      assertThat(EmbeddedApplication.OUTCOMES).contains("Ann: applicationOutcomeApproved");
      // The invocation completes before the 200 travels back, so the bank may record its delivery a
      // moment later.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(bank.deliveries())
                      .singleElement()
                      .satisfies(d -> assertThat(d.status()).isEqualTo(200)));
    }
  }
}
