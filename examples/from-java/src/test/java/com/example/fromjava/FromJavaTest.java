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
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    String handler =
        source.substring(
            source.indexOf("  public static final class SubmitApplicationHandler"),
            source.indexOf("  private FromJava() {}"));

    assertThat(readme)
        .contains(apply.stripTrailing().stripIndent())
        .contains(handler.stripTrailing().stripIndent())
        .contains("import dev.extsvc.runtime.ExternalServices;")
        .contains("--enable-native-access=ALL-UNNAMED");
  }

  @Test
  void anEmbeddingProgramPrintsNoLoggingNoticeAndOneStartLine(@TempDir Path data) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    var acme =
        Registrar.defaults().register(Files.readString(SPEC), null).serviceIfOk().orElseThrow();
    Process p;
    // the bank runs here: what the child prints is the example program's alone
    try (var bank =
        MockService.builder(acme)
            .callbackDelay(Duration.ofMillis(100))
            .keyRule(KeyRule.fixed("applicationOutcomeApproved"))
            .build()
            .start()) {
      p =
          new ProcessBuilder(
                  java,
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  classPath,
                  StartOnce.class.getName(),
                  SPEC.toString(),
                  data.toString(),
                  Integer.toString(freePort()),
                  bank.baseUrl())
              .redirectErrorStream(true)
              .redirectOutput(data.resolve("output.txt").toFile())
              .start();
      try {
        // bounded: the child waits at most 20 s for its decision
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the program ended").isTrue();
      } finally {
        p.destroyForcibly();
      }
    }
    String out = Files.readString(data.resolve("output.txt"));

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("Alice: applicationOutcomeApproved {")
        .doesNotContain("There is no Helidon logging implementation")
        .doesNotContain("io.helidon")
        .doesNotContain("WARN")
        .doesNotContain("Exception");
    List<String> serverLines =
        out.lines().filter(l -> l.contains("ExtsvcServer") || l.contains("Helidon")).toList();
    assertThat(serverLines).as(out).hasSize(1);
    assertThat(serverLines.get(0)).contains("extsvc listening on http://127.0.0.1:");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
