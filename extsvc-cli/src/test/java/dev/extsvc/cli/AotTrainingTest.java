package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's training runs: a cache recorded from a run that failed half way would hold only
 * the classes of its first steps, so each run must do all its work and say when it could not.
 */
class AotTrainingTest {
  @TempDir Path dir;

  @Test
  void theCheckAndGenerateTrainingGeneratesTheClient() throws Exception {
    CliTest.Run r = CliTest.run("aot-training", dir.toString());

    assertThat(r.code()).isZero();
    try (var files = Files.walk(dir.resolve("src"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".java")).count()).isGreaterThan(3);
    }
  }

  @Test
  void theServeTrainingMakesInvocationsWhoseCallbacksArriveThenStopsItsServer() throws Exception {
    CliTest.Run r = CliTest.run("aot-training-serve", dir.toString(), "--load", "2s");

    assertThat(r.code()).isZero();
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/extsvc.db"));
        Statement s = c.createStatement()) {
      assertThat(count(s, "SELECT count(*) FROM extsvc_invocations")).isPositive();
      assertThat(count(s, "SELECT count(*) FROM extsvc_callbacks")).isPositive();
    }
    // the server it started is closed before it returns: its thread is gone
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("aot-training-serve"));
  }

  private static long count(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
