package com.example.fromjava;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.spec.Registrar;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "From Java" runs as written: the decision arrives by callback, and everything stops
 * after.
 */
class FromJavaTest {
  static final Path SPEC = Path.of("../acme-mortgages.json");

  @Test
  void anApplicationGetsItsDecisionByCallbackAndEverythingStopsAfter(@TempDir Path data)
      throws Exception {
    var acme =
        Registrar.defaults().register(Files.readString(SPEC), null).serviceIfOk().orElseThrow();
    int port = freePort();
    try (var bank =
        MockService.builder(acme)
            .callbackDelay(Duration.ofMillis(100))
            .keyRule(KeyRule.fixed("applicationOutcomeApproved"))
            .build()
            .start()) {

      String decision =
          FromJava.apply(SPEC, data, bank.baseUrl(), port, "Alice", Duration.ofSeconds(20));

      assertThat(decision).startsWith("Alice: applicationOutcomeApproved {");
      assertThat(data.resolve("extsvc.db")).exists();
    }
    try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).isEqualTo(port); // the server let go of its port
    }
  }

  @Test
  void theReadmeShowsTheExampleAsItIs() throws Exception {
    String source = Files.readString(Path.of("src/main/java/com/example/fromjava/FromJava.java"));
    String readme = Files.readString(Path.of("../../README.md"));
    String apply =
        source.substring(
            source.indexOf("    try (JdbcStore store"),
            source.indexOf("    } // closed in reverse"));

    assertThat(readme)
        .contains(apply.stripTrailing().stripIndent())
        .contains("import dev.extsvc.runtime.ExternalServices;")
        .contains("--enable-native-access=ALL-UNNAMED");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
