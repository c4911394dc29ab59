package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `extsvc serve --config`: a bad file stops the start with its line and reason, before anything
 * listens.
 */
class ServeConfigTest {
  @TempDir Path dir;

  @Test
  void anUnknownAcknowledgementIsRefusedAtStartWithItsLine() throws Exception {
    Path config = dir.resolve("extsvc.yaml");
    Files.writeString(
        config,
        """
        services:
          Acme Mortgages:
            endpoint: https://api.acme.example
            acknowledgement: EVENTUALLY
        """);

    CliTest.Run r = CliTest.run("serve", "--config", config.toString(), "--data", dir.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains(config + ":4:")
        .contains("acknowledgement must be SYNC or DURABLE");
  }

  @Test
  void aCredentialWhoseVariableIsUnsetStopsTheStart() throws Exception {
    Path config = dir.resolve("extsvc.yaml");
    Files.writeString(
        config,
        """
        credentials:
          acme-token: {type: bearer, token: "${env:EXTSVC_TEST_SURELY_UNSET_TOKEN}"}
        services:
          Acme Mortgages: {endpoint: "https://api.acme.example", credential: acme-token}
        """);

    CliTest.Run r = CliTest.run("serve", "--config", config.toString(), "--data", dir.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "credential acme-token: environment variable EXTSVC_TEST_SURELY_UNSET_TOKEN is not set");
  }

  @Test
  void aCallbackPathTheRuntimeWouldRefuseIsAUsageErrorBeforeAnythingOpens() {
    CliTest.Run r = CliTest.run("serve", "--callback-path", "/hooks/", "--data", dir.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("--callback-path: callbackPath must look like /callbacks or /hooks/extsvc");
    assertThat(dir.resolve("extsvc.db")).doesNotExist();
  }

  @Test
  void aBadCallbackPathInTheFileIsRefusedWithItsLine() throws Exception {
    Path config = dir.resolve("extsvc.yaml");
    Files.writeString(config, "server:\n  callbackPath: callbacks\n");

    CliTest.Run r = CliTest.run("serve", "--config", config.toString(), "--data", dir.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(config + ":2:").contains("callbackPath must look like");
  }

  @Test
  void aMissingFileIsNamed() {
    CliTest.Run r = CliTest.run("serve", "--config", dir.resolve("nope.yaml").toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("nope.yaml: cannot read the file");
  }
}
