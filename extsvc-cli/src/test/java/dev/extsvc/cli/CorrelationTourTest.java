package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's correlation example runs as written: the mock posts the signed {@code answered}
 * event to the shared address before its own answer, and the invocation completes. In process the
 * environment cannot be set, so the secret comes from a variable every process has (HOME) instead
 * of the README's.
 */
class CorrelationTourTest {
  @TempDir Path dir;

  @Test
  void theReadmesCorrelationExampleCompletesAnInvocationFromAnEarlySignedCallback()
      throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    String section = readme.substring(readme.indexOf("Try it with the mock as the provider"));
    int start = section.indexOf("```bash\n") + 8;
    List<String> lines =
        section
            .substring(start, section.indexOf("\n```", start))
            .replace("\\\n", " ")
            .lines()
            .toList();
    assertThat(lines.get(0)).startsWith("export CALLS_SIGNING_SECRET=");
    List<String> mockCommand = command(lines.get(1));
    List<String> serveCommand = command(lines.get(2));
    List<String> invokeCommand = command(lines.get(3));
    assertThat(List.of(mockCommand.get(0), serveCommand.get(0), invokeCommand.get(0)))
        .containsExactly("mock", "serve", "invoke");

    Files.copy(Path.of("../examples/calls.yaml"), dir.resolve("calls.yaml"));
    Files.writeString(
        dir.resolve("calls.extsvc.yaml"),
        Files.readString(Path.of("../examples/calls.extsvc.yaml"))
            .replace("${env:CALLS_SIGNING_SECRET}", "${env:HOME}"));
    int mockPort = Ports.free();
    int serverPort = Ports.free();
    String server = "http://127.0.0.1:" + serverPort;

    try (Background mock =
            Background.start(
                plus(args(mockCommand, mockPort, serverPort), "--signature-secret-env", "HOME"));
        Background serve =
            Background.start(
                plus(
                    args(serveCommand, mockPort, serverPort),
                    "--data",
                    dir.resolve("data").toString()))) {
      mock.awaitOut("listening on http://127.0.0.1:" + mockPort);
      serve.awaitOut("serving on " + server);

      CliTest.Run invoke =
          CliTest.run(plus(args(invokeCommand, mockPort, serverPort), "--server", server));
      assertThat(invoke.code()).as(invoke.err()).isZero();
      Matcher id = Pattern.compile("invocation ([0-9a-f-]{36})").matcher(invoke.out());
      assertThat(id.find()).as(invoke.out()).isTrue();
      assertThat(mock.out()).contains("callback answered POST").contains("→ 202");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                CliTest.Run shown = CliTest.run("status", id.group(1), "--server", server);
                assertThat(shown.code()).isZero();
                assertThat(shown.out()).contains("COMPLETED").contains("answered");
              });
      assertThat(serve.stop()).isZero();
      assertThat(mock.stop()).isZero();
    }
  }

  private static List<String> command(String line) {
    List<String> words = ShortTourTest.words(line);
    assertThat(words.get(0)).isEqualTo("./extsvc");
    return words.subList(1, words.size());
  }

  private String[] args(List<String> command, int mockPort, int serverPort) {
    return command.stream()
        .map(
            a ->
                a.equals("examples/calls.yaml")
                    ? dir.resolve("calls.yaml").toString()
                    : a.equals("examples/calls.extsvc.yaml")
                        ? dir.resolve("calls.extsvc.yaml").toString()
                        : a.replace("9091", "" + mockPort).replace("8080", "" + serverPort))
        .toArray(String[]::new);
  }

  private static String[] plus(String[] args, String... more) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
