package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI says about progress and heartbeat keys, and the mock's scenario options. */
class ProgressCliTest {
  static final String SPEC =
      """
      openapi: 3.0.3
      info: {title: Jobs, version: '1'}
      paths:
        /jobs:
          post:
            operationId: runJob
            requestBody:
              required: true
              content: {application/json: {schema: {type: object}}}
            responses: {'202': {description: accepted}}
            callbacks:
              status:
                x-extsvc-final: false
                '{$request.body#/hooks/status}':
                  post:
                    requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
                    responses: {'200': {description: ok}}
              done:
                '{$request.body#/hooks/done}':
                  post:
                    requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
                    responses: {'200': {description: ok}}
      """;

  @TempDir Path dir;

  @Test
  void checkSaysWhichKeysAreFinalAlsoWithAConfigurationThatOverridesThem() throws IOException {
    Path spec = Files.writeString(dir.resolve("jobs.yaml"), SPEC);

    CliTest.Run plain = CliTest.run("check", spec.toString());
    assertThat(plain.code()).isZero();
    assertThat(plain.out())
        .contains(
            "    final keys (a handled callback completes the invocation): done; not final: status"
                + " (progress)");

    Path config =
        Files.writeString(
            dir.resolve("extsvc.yaml"),
            "services:\n  Jobs:\n    callbackKeys:\n      runJob:\n        done: {heartbeat: 1h}\n"
                + "        status: {final: true}\n");
    CliTest.Run configured =
        CliTest.run("check", "--config", config.toString(), "--format", "json", spec.toString());
    assertThat(configured.code()).isZero();
    assertThat(configured.out())
        .contains("\"key\" : \"status\"")
        .containsPattern(
            "\"key\" : \"done\",\\s+\"awaitable\" : true,\\s+\"byCorrelation\" : false,"
                + "\\s+\"final\" : false,\\s+\"heartbeat\" : \"PT1H\"")
        .containsPattern(
            "\"key\" : \"status\",\\s+\"awaitable\" : true,\\s+\"byCorrelation\" : false,"
                + "\\s+\"final\" : true");
  }

  @Test
  void mockRefusesAScenarioNamingAKeyTheSpecLacks() throws IOException {
    Path spec = Files.writeString(dir.resolve("jobs.yaml"), SPEC);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    CliTest.Run r =
        CliTest.run(
            "mock", spec.toString(), "--port", "" + port, "--scenario", "status*3@100ms,finished");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("scenario step 'finished'").contains("no operation of Jobs");
    assertThat(CliTest.run("mock", spec.toString(), "--port", "" + port, "--duplicates", "1").err())
        .contains("need --scenario or --scenario-file");
  }
}
