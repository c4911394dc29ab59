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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "A short tour", command by command as written, in-process: only the ports (9090 and
 * 8080 become free ones, and invoke and status are told the server's), the output directory and the
 * data directory change.
 */
class ShortTourTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void theShortTourRunsAsWritten() throws Exception {
    List<List<String>> tour = commands(Files.readString(Path.of("../README.md")));
    assertThat(tour)
        .extracting(c -> c.get(0))
        .containsExactly("check", "generate", "mock", "serve", "invoke", "status");
    int bankPort = Ports.free();
    int serverPort = Ports.free();
    String server = "http://127.0.0.1:" + serverPort;

    CliTest.Run check = CliTest.run(args(tour.get(0), bankPort, serverPort));
    assertThat(check.code()).as(check.out() + check.err()).isZero();
    assertThat(check.out()).contains("registered: 0 error(s)");

    CliTest.Run generate = CliTest.run(args(tour.get(1), bankPort, serverPort));
    assertThat(generate.code()).as(generate.err()).isZero();
    assertThat(dir.resolve("src/main/java/com/example/acme/AcmeMortgages.java")).exists();

    try (Background mock = Background.start(args(tour.get(2), bankPort, serverPort));
        Background serve =
            Background.start(
                plus(
                    args(tour.get(3), bankPort, serverPort),
                    "--data",
                    dir.resolve("data").toString()))) {
      mock.awaitOut("listening on http://127.0.0.1:" + bankPort);
      serve.awaitOut("serving on " + server);

      CliTest.Run invoke =
          CliTest.run(plus(args(tour.get(4), bankPort, serverPort), "--server", server));
      assertThat(invoke.code()).as(invoke.err()).isZero();
      assertThat(invoke.out()).startsWith("HTTP 201\n");
      Matcher id = Pattern.compile("invocation ([0-9a-f-]{36})").matcher(invoke.out());
      assertThat(id.find()).isTrue();

      List<String> status = new ArrayList<>(tour.get(5));
      status.replaceAll(a -> a.equals("<invocation id>") ? id.group(1) : a);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                CliTest.Run shown =
                    CliTest.run(plus(args(status, bankPort, serverPort), "--server", server));
                assertThat(shown.code()).isZero();
                assertThat(shown.out()).contains("COMPLETED").contains("callback application");
              });
      assertThat(mock.out()).contains("→ 200");

      assertThat(serve.stop()).isZero();
      assertThat(mock.stop()).isZero();
      assertThat(serve.err() + mock.err()).isEmpty();
    }
  }

  /**
   * The tour's commands without "./extsvc", comments and comment-only lines, split as a shell
   * would.
   */
  static List<List<String>> commands(String readme) {
    String section = readme.substring(readme.indexOf("## A short tour"));
    int start = section.indexOf("```bash\n") + 8;
    String block = section.substring(start, section.indexOf("\n```", start));
    List<List<String>> commands = new ArrayList<>();
    for (String line : block.lines().toList()) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      List<String> words = words(line);
      assertThat(words.get(0)).isEqualTo("./extsvc");
      commands.add(words.subList(1, words.size()));
    }
    return commands;
  }

  /** Shell words: single and double quotes, a comment from an unquoted "#" on. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else if (c == '#' && word == null) {
        break;
      } else if (c == '<' && word == null) { // a placeholder such as <invocation id> stays one word
        int end = line.indexOf('>', i);
        words.add(line.substring(i, end + 1));
        i = end;
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** The README's paths are from the repository's root; its ports become the free ones. */
  private String[] args(List<String> command, int bankPort, int serverPort) {
    return command.stream()
        .map(
            a ->
                a.startsWith("examples/")
                    ? "../" + a
                    : a.equals("src/main/java")
                        ? dir.resolve("src/main/java").toString()
                        : a.replace("9090", "" + bankPort).replace("8080", "" + serverPort))
        .toArray(String[]::new);
  }

  private static String[] plus(String[] args, String... more) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
