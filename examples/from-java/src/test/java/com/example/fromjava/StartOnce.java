package com.example.fromjava;

import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.spec.Registrar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The example run once in a process of its own, against a mock bank, so that FromJavaTest reads
 * everything the program prints. Arguments: spec file, data folder, port.
 */
final class StartOnce {
  private StartOnce() {}

  public static void main(String[] args) throws Exception {
    Path spec = Path.of(args[0]);
    var acme =
        Registrar.defaults().register(Files.readString(spec), null).serviceIfOk().orElseThrow();
    try (var bank =
        MockService.builder(acme)
            .callbackDelay(Duration.ofMillis(100))
            .keyRule(KeyRule.fixed("applicationOutcomeApproved"))
            .build()
            .start()) {
      String decision =
          FromJava.apply(
              spec,
              Path.of(args[1]),
              bank.baseUrl(),
              Integer.parseInt(args[2]),
              "Alice",
              Duration.ofSeconds(20));
      System.out.println(decision);
    }
  }
}
