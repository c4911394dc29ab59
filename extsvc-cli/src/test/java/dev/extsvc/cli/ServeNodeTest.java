package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --node-id}: the node's name in /api/health, the probes, a bad name refused; the
 * cluster settings' options checked before anything starts.
 */
class ServeNodeTest {
  @TempDir Path dir;

  static HttpResponse<String> get(int port, String path) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void serveWithANodeIdShowsItInHealthAndAnswersTheProbes() throws Exception {
    int port = Ports.free();
    try (Background serve =
        Background.start(
            "serve", "--node-id", "edge-1", "--port", "" + port, "--data", dir.toString())) {
      serve.awaitOut("serving on");

      assertThat(get(port, "/api/health").body()).contains("\"node\":\"edge-1\"");
      assertThat(get(port, "/api/health/live").statusCode()).isEqualTo(200);
      assertThat(get(port, "/api/health/ready").statusCode()).isEqualTo(200);
      assertThat(serve.stop()).isZero();
    }
  }

  @Test
  void aNodeIdThatIsNoPlainNameIsAUsageError() {
    CliTest.Run r = CliTest.run("serve", "--node-id", "a b", "--data", dir.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--node-id").contains("nodeId must be");
  }

  @Test
  void clusterSettingsThatDoNotFitTogetherOrAreNoDurationsAreUsageErrors() {
    CliTest.Run tooShort =
        CliTest.run(
            "serve",
            "--heartbeat-interval",
            "2s",
            "--node-timeout",
            "3s",
            "--data",
            dir.toString());
    CliTest.Run noDuration =
        CliTest.run("serve", "--callback-lease", "soon", "--data", dir.toString());

    assertThat(tooShort.code()).isEqualTo(2);
    assertThat(tooShort.err())
        .contains("nodeTimeout (3s) must be at least twice heartbeatInterval (2s)");
    assertThat(noDuration.code()).isEqualTo(2);
    assertThat(noDuration.err()).contains("--callback-lease").contains("expected a duration");
  }

  @Test
  void anEarlyCallbackHoldThatIsNoPositiveDurationIsAUsageError() {
    CliTest.Run noDuration =
        CliTest.run("serve", "--early-callback-hold", "soon", "--data", dir.toString());
    CliTest.Run zero =
        CliTest.run("serve", "--early-callback-hold", "0s", "--data", dir.toString());

    assertThat(noDuration.code()).isEqualTo(2);
    assertThat(noDuration.err()).contains("--early-callback-hold").contains("expected a duration");
    assertThat(zero.code()).isEqualTo(2);
    assertThat(zero.err()).contains("--early-callback-hold: must be positive");
  }
}
