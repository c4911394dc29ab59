package dev.extsvc.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short version of the cluster suite, in every build: three {@code extsvc serve} processes on
 * one embedded PostgreSQL (two of them with skewed clocks where libfaketime is installed), four
 * faults (kill -9 and SIGSTOP) in 40 s, a spec registered mid-run, retrying senders; every check of
 * the full suite must pass. The full run is scripts/cluster-suite.
 */
class ClusterSuiteTest {
  @TempDir Path dir;

  @Test
  void threeNodesKilledAndPausedLoseNothingAndRunNoHandlerTwice() throws Exception {
    try (EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(dir.resolve("postgres"))
            .setCleanDataDirectory(true)
            // a callback must be durable before its 2xx (zonky turns this off)
            .setServerConfig("synchronous_commit", "on")
            .start()) {
      Path report = dir.resolve("cluster-suite.md");
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--jdbc-url",
                  postgres.getJdbcUrl("postgres", "postgres"),
                  "--class-path",
                  System.getProperty("java.class.path"),
                  "--work",
                  dir.resolve("work").toString(),
                  "--report",
                  report.toString(),
                  "--seconds",
                  "40",
                  "--faults",
                  "4",
                  "--pause-seconds",
                  "8",
                  "--drain-seconds",
                  "120",
                  "--rate",
                  "2",
                  "--seed",
                  "16"));
      String faketime = faketimeLibrary();
      if (faketime != null) {
        args.addAll(List.of("--faketime-lib", faketime));
      }

      int exit = new ClusterSuite(ClusterSuite.Options.parse(args.toArray(String[]::new))).run();

      String table = Files.exists(report) ? Files.readString(report) : "(no report written)";
      assertThat(exit).as(table).isZero();
      assertThat(table).contains("every check passed");
    }
  }

  private static @Nullable String faketimeLibrary() throws IOException {
    for (Path lib : List.of(Path.of("/usr/lib"), Path.of("/usr/lib/x86_64-linux-gnu"))) {
      if (!Files.isDirectory(lib)) {
        continue;
      }
      try (Stream<Path> found = Files.find(lib, 3, (p, a) -> p.endsWith("libfaketime.so.1"))) {
        var first = found.filter(p -> p.getParent().endsWith("faketime")).findFirst();
        if (first.isPresent()) {
          return first.get().toString();
        }
      }
    }
    return null;
  }
}
