package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code extsvc mock --shared-address}: its options checked before anything listens. */
class MockSharedAddressTest {
  static final String SPEC = "../examples/acme-mortgages.json";

  @Test
  void aSharedAddressWithoutASignatureIsAUsageError() {
    CliTest.Run r =
        CliTest.run(
            "mock",
            SPEC,
            "--port",
            "0",
            "--shared-address",
            "http://127.0.0.1:9/callbacks/services/A");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--shared-address needs --signature SCHEME");
  }

  @Test
  void anUnknownSchemeOrAMissingSecretIsAUsageErrorThatShowsNoSecret() {
    CliTest.Run unknown =
        CliTest.run(
            "mock",
            SPEC,
            "--port",
            "0",
            "--shared-address",
            "http://127.0.0.1:9/callbacks/services/A",
            "--signature",
            "gitlab");
    CliTest.Run noSecret =
        CliTest.run(
            "mock",
            SPEC,
            "--port",
            "0",
            "--shared-address",
            "http://127.0.0.1:9/callbacks/services/A",
            "--signature",
            "github",
            "--signature-secret-env",
            "EXTSVC_TEST_UNSET_VARIABLE_7Q");
    CliTest.Run orphan = CliTest.run("mock", SPEC, "--port", "0", "--callback-before-answer");

    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("unknown signature scheme 'gitlab'; known: standard-webhooks");
    assertThat(noSecret.code()).isEqualTo(2);
    assertThat(noSecret.err()).contains("in the variable EXTSVC_TEST_UNSET_VARIABLE_7Q");
    assertThat(orphan.code()).isEqualTo(2);
    assertThat(orphan.err()).contains("go with --shared-address URL");
  }
}
