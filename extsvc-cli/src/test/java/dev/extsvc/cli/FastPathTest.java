package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate and check without picocli: the same result, and picocli for everything else. */
class FastPathTest {
  private static final String ACME = "../examples/acme-mortgages.json";

  @TempDir Path dir;

  @Test
  void commandLinesItDoesNotRecogniseAreLeftToPicocli() {
    for (List<String> args :
        List.of(
            List.of("generate", "--help"),
            List.of("check", "-h"),
            List.of("check", "--version"),
            List.of("serve", ACME),
            List.of("generate", ACME, "--package", "p"),
            List.of("generate", ACME, "--package", "p", "--package", "q", "--output", "o"),
            List.of("generate", ACME, "--package", "--output", "o"),
            List.of("generate", ACME, "--output", "o", "--package"),
            List.of("generate", "--package", "p", "--output", "o", "--", ACME),
            List.of("generate", "@args.txt"),
            List.of("check", ACME, ACME),
            List.of("check", "--format", "xml", ACME),
            List.of("check", "--config", "extsvc.yaml", ACME),
            List.of("check", "--max-json-mb", "1", ACME),
            List.of("check", "--all-operations=true", ACME),
            List.of("check"))) {
      StringWriter out = new StringWriter();
      Integer code =
          FastPath.run(new PrintWriter(out), new PrintWriter(out), args.toArray(String[]::new));
      assertThat(code).as("%s", args).isNull();
      assertThat(out.toString()).as("%s", args).isEmpty();
    }
  }

  @Test
  void generateWritesWhatPicocliHadItWrite() throws IOException {
    Path fast = dir.resolve("fast");
    Path picocli = dir.resolve("picocli");

    CliTest.Run viaFastPath =
        CliTest.run("generate", ACME, "--package=com.example.acme", "--output", fast.toString());
    // "--" ends the options: a command line FastPath leaves to picocli
    CliTest.Run viaPicocli =
        CliTest.run(
            "generate",
            "--package",
            "com.example.acme",
            "--output",
            picocli.toString(),
            "--",
            ACME);

    assertThat(viaFastPath.code()).isZero();
    assertThat(viaPicocli.code()).isZero();
    assertThat(viaFastPath.err()).isEqualTo(viaPicocli.err()).isNotEmpty();
    assertThat(viaFastPath.out().replace(fast.toString(), "DIR"))
        .isEqualTo(viaPicocli.out().replace(picocli.toString(), "DIR"));
    assertThat(files(fast)).hasSizeGreaterThan(3).isEqualTo(files(picocli));
  }

  @Test
  void checkPrintsWhatPicocliHadItPrint() {
    for (List<String> options :
        List.of(
            List.<String>of(),
            List.of("--format", "json"),
            List.of("--all-operations", "--name", "Acme"),
            List.of("--format=text"))) {
      String[] fast =
          Stream.concat(Stream.of("check"), Stream.concat(options.stream(), Stream.of(ACME)))
              .toArray(String[]::new);
      String[] picocli =
          Stream.concat(Stream.of("check"), Stream.concat(options.stream(), Stream.of("--", ACME)))
              .toArray(String[]::new);

      CliTest.Run a = CliTest.run(fast);
      CliTest.Run b = CliTest.run(picocli);

      assertThat(a).as("%s", options).isEqualTo(b);
      assertThat(a.out()).isNotEmpty();
    }
  }

  @Test
  void aSpecThatCannotBeReadFailsAsUnderPicocli() {
    String missing = dir.resolve("missing.json").toString();

    assertThat(CliTest.run("check", missing)).isEqualTo(CliTest.run("check", "--", missing));
    assertThat(CliTest.run("check", missing).code()).isEqualTo(1);
  }

  private static Map<Path, String> files(Path root) throws IOException {
    Map<Path, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(f), Files.readString(f));
      }
    }
    return files;
  }
}
