package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code curl /metrics} on {@code extsvc serve} after a run like the demo's: the mock bank calls
 * back, and the Prometheus text counts the invocations completed and the callbacks answered.
 */
class ServeMetricsTest {
  static final Pattern ID = Pattern.compile("invocation ([0-9a-f-]{36})");

  @TempDir Path dir;

  @Test
  @Timeout(120)
  void serveCountsTheInvocationsAndCallbacksOfARunAtMetrics() throws Exception {
    int bankPort = Ports.free();
    int serverPort = Ports.free();
    String server = "http://127.0.0.1:" + serverPort;
    String spec = "../examples/acme-mortgages.json";
    try (Background mock =
            Background.start(
                "mock", spec, "--port", Integer.toString(bankPort), "--delay", "200ms");
        Background serve =
            Background.start(
                "serve",
                "--spec",
                spec,
                "--endpoint",
                "Acme Mortgages=http://127.0.0.1:" + bankPort,
                "--port",
                Integer.toString(serverPort),
                "--data",
                dir.resolve("data").toString())) {
      mock.awaitOut("listening on http://127.0.0.1:" + bankPort);
      serve.awaitOut("serving on " + server);

      for (String name : new String[] {"Ada", "Grace", "Alan"}) {
        CliTest.Run invoke =
            CliTest.run(
                "invoke",
                "Acme Mortgages",
                "SubmitApplication",
                "--body",
                "{\"applicant\":{\"name\":\"" + name + "\"}}",
                "--server",
                server);
        assertThat(invoke.code()).as(invoke.err()).isZero();
        assertThat(ID.matcher(invoke.out()).find()).isTrue();
      }
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest scrape =
          HttpRequest.newBuilder(URI.create(server + "/metrics"))
              .timeout(Duration.ofSeconds(20))
              .build();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                String text = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
                assertThat(sum(text, "extsvc_invocations_finished_total", "status=\"COMPLETED\""))
                    .isEqualTo(3.0);
              });
      HttpResponse<String> metrics = http.send(scrape, HttpResponse.BodyHandlers.ofString());
      String text = metrics.body();

      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(sum(text, "extsvc_callbacks_total", "code=\"200\"")).isEqualTo(3.0);
      assertThat(sum(text, "extsvc_callback_delay_seconds_count", "")).isEqualTo(3.0);
      assertThat(sum(text, "extsvc_store_duration_seconds_count", "method=\"createInvocation\""))
          .isEqualTo(3.0);
      assertThat(text)
          .contains("# TYPE extsvc_invocations gauge")
          .contains("# TYPE extsvc_callbacks_queued gauge")
          .contains("# TYPE extsvc_sweeper_lag_seconds gauge");
      assertThat(serve.stop()).isZero();
      assertThat(mock.stop()).isZero();
    }
  }

  /** The sum of a family's samples whose labels contain {@code label} (every one for ""). */
  static double sum(String text, String family, String label) {
    double total = 0;
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(family) + "(\\{[^}]*})? ([-+0-9.eE]+)$")
            .matcher(text);
    while (m.find()) {
      if (m.group(1) == null ? label.isEmpty() : m.group(1).contains(label)) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }
}
