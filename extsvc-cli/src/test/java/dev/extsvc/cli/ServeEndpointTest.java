package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `serve --endpoint`: an endpoint without a path takes the spec's base path, and one naming no
 * registered service is refused with the names that exist.
 */
class ServeEndpointTest {
  static final String BANK =
      """
      openapi: 3.0.3
      info: { title: Bank, version: "1" }
      servers: [ { url: "https://bank.example/api" } ]
      paths:
        /loans:
          post:
            operationId: apply
            requestBody:
              content:
                application/json:
                  schema:
                    type: object
                    properties: { callbackUrl: { type: string } }
            responses:
              "202": { description: accepted }
            callbacks:
              decided:
                "{$request.body#/callbackUrl}":
                  post:
                    requestBody:
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [decision]
                            properties: { decision: { type: string, enum: [approved, declined] } }
                    responses: { "200": { description: ok } }
      """;

  @TempDir Path dir;

  Path spec() throws Exception {
    Path spec = dir.resolve("bank.yaml");
    Files.writeString(spec, BANK);
    return spec;
  }

  @Test
  void anEndpointForNoRegisteredServiceIsRefusedNamingTheServicesThatExist() throws Exception {
    CliTest.Run r =
        CliTest.run(
            "serve",
            "--spec",
            spec().toString(),
            "--endpoint",
            "Bnak=http://127.0.0.1:9",
            "--port",
            "0",
            "--data",
            dir.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "error: --endpoint 'Bnak=...': no spec registers a service named 'Bnak'; services:"
                + " [Bank]\n");
  }

  @Test
  void anEndpointInTheFileForNoRegisteredServiceIsRefused() throws Exception {
    Path config = dir.resolve("extsvc.yaml");
    Files.writeString(config, "services:\n  Bnak: {endpoint: \"http://127.0.0.1:9\"}\n");

    CliTest.Run r =
        CliTest.run(
            "serve",
            "--config",
            config.toString(),
            "--spec",
            spec().toString(),
            "--port",
            "0",
            "--data",
            dir.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains(config + ": services.Bnak.endpoint: no spec registers a service named 'Bnak'")
        .contains("services: [Bank]");
  }

  @Test
  void checkSaysTheBasePathAnEndpointWithoutAPathTakes() throws Exception {
    CliTest.Run r = CliTest.run("check", spec().toString());

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "base path /api (the spec's first server URL): an endpoint given without a path, such"
                + " as --endpoint 'Bank=http://127.0.0.1:9090', calls http://127.0.0.1:9090/api/...");
  }

  @Test
  @Timeout(120)
  void anEndpointWithoutAPathCallsTheSpecsBasePathAndTheCallbackCompletes() throws Exception {
    int bankPort = Ports.free();
    int serverPort = Ports.free();
    String server = "http://127.0.0.1:" + serverPort;
    String bank = "http://127.0.0.1:" + bankPort;
    try (Background mock =
            Background.start("mock", spec().toString(), "--port", String.valueOf(bankPort));
        Background serve =
            Background.start(
                "serve",
                "--spec",
                spec().toString(),
                "--endpoint",
                "Bank=" + bank,
                "--port",
                String.valueOf(serverPort),
                "--data",
                dir.resolve("data").toString())) {
      mock.awaitOut("listening on " + bank);
      serve.awaitOut("serving on " + server);
      assertThat(serve.out())
          .contains(
              "Bank: callouts go to "
                  + bank
                  + "/api (the endpoint has no path: it takes /api, the path of the spec's first"
                  + " server URL)");

      CliTest.Run invoke =
          CliTest.run("invoke", "Bank", "apply", "--body", "{}", "--server", server);
      assertThat(invoke.code()).as(invoke.out() + invoke.err()).isZero();
      Matcher id = Pattern.compile("invocation ([0-9a-f-]{36})").matcher(invoke.out());
      assertThat(id.find()).as(invoke.out()).isTrue();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(CliTest.run("status", id.group(1), "--server", server).out())
                      .contains("COMPLETED"));
      assertThat(serve.stop()).isZero();
      assertThat(mock.stop()).isZero();
    }
  }
}
