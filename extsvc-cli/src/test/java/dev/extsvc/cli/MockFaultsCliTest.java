package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mock's fault options: callouts answered 500 or late, callbacks retried on a schedule. */
class MockFaultsCliTest {
  @TempDir Path dir;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void theFaultOptionsAreShownAtStartAndTheFirstCalloutIsAnswered500() throws Exception {
    Path spec = Files.writeString(dir.resolve("jobs.yaml"), ProgressCliTest.SPEC);
    int port = freePort();
    try (Background mock =
        Background.start(
            "mock",
            spec.toString(),
            "--port",
            "" + port,
            "--fail-first",
            "1",
            "--late",
            "200ms",
            "--retry-schedule",
            "standard",
            "--retry-scale",
            "0.001")) {
      mock.awaitOut("listening on");
      assertThat(mock.out())
          .contains("first 1 callout(s) answered 500")
          .contains("answers 200ms late")
          .contains("callbacks retried up to 8 attempts (waits x0.001)");
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs"))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/json")
              .header("X-Mock-Callback", "none")
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build();
      assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(500);
      long start = System.nanoTime();
      assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(202);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }
  }

  @Test
  void badFaultOptionsAreRefusedWithTheReason() throws Exception {
    Path spec = Files.writeString(dir.resolve("jobs.yaml"), ProgressCliTest.SPEC);
    int port = freePort();

    CliTest.Run share =
        CliTest.run("mock", spec.toString(), "--port", "" + port, "--fail-share", "2");
    assertThat(share.code()).isEqualTo(2);
    assertThat(share.err()).contains("failShare is a share from 0 to 1");
    assertThat(
            CliTest.run("mock", spec.toString(), "--port", "" + port, "--retry-scale", "0.1").err())
        .contains("--retry-scale needs --retry-schedule");
    assertThat(
            CliTest.run(
                    "mock", spec.toString(), "--port", "" + port, "--retry-schedule", "0s,later")
                .err())
        .contains("'later' is not a duration");

    Path file =
        Files.writeString(dir.resolve("scenario.yaml"), "steps: [{key: done}]\nfailFirst: 1\n");
    assertThat(
            CliTest.run(
                    "mock",
                    spec.toString(),
                    "--port",
                    "" + port,
                    "--scenario-file",
                    file.toString(),
                    "--fail-first",
                    "2")
                .err())
        .contains("give them there or as options, not both");
  }
}
