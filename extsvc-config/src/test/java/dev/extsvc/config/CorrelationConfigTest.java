package dev.extsvc.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.CallbackSignature;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.testing.InMemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Correlation rules and callback signatures in extsvc.yaml, and their errors with line and column.
 */
class CorrelationConfigTest {
  @TempDir Path dir;

  ExtsvcConfig load(String yaml) throws IOException {
    Path file = dir.resolve("extsvc.yaml");
    Files.writeString(file, yaml);
    return ExtsvcConfig.load(file, Map.of("TELNYX_KEY", "c2VjcmV0LWJ5dGVz"));
  }

  @Test
  void aRuleAndAPresetSignatureAreRead() throws IOException {
    ExtsvcConfig c =
        load(
            """
            services:
              Telnyx:
                endpoint: https://api.telnyx.example/v2
                correlation:
                  CallDial:
                    callAnswered:
                      invocation: $response.body#/data/call_control_id
                      callback: $request.body#/data/payload/call_control_id
                callbackSignature:
                  scheme: stripe
                  secret: ${env:TELNYX_KEY}
                  tolerance: PT2M
            """);

    ServiceConfig telnyx = c.services().get("Telnyx");
    assertThat(telnyx.correlations()).hasSize(1);
    assertThat(telnyx.correlations().get(0).key()).isEqualTo("callAnswered");
    assertThat(telnyx.correlations().get(0).correlation().toString())
        .isEqualTo(
            "$response.body#/data/call_control_id = $request.body#/data/payload/call_control_id");
    CallbackSignature sig = telnyx.callbackSignature();
    assertThat(sig.scheme()).isEqualTo(CallbackSignature.Scheme.STRIPE);
    assertThat(sig.tolerance()).isEqualTo(Duration.ofMinutes(2));
    assertThat(sig.secrets().get(0).value()).isEqualTo("c2VjcmV0LWJ5dGVz");
    assertThat(sig.toString()).doesNotContain("c2VjcmV0LWJ5dGVz");
  }

  @Test
  void aGenericHmacIsRead() throws IOException {
    ExtsvcConfig c =
        load(
            """
            services:
              Shop:
                callbackSignature:
                  scheme: hmac
                  secrets: ["${env:TELNYX_KEY}"]
                  hmac: {header: X-Sig, prefix: "sha1=", encoding: base64, algorithm: SHA1, signed: body}
            """);

    CallbackSignature.Hmac h = c.services().get("Shop").callbackSignature().hmac();
    assertThat(h.header()).isEqualTo("X-Sig");
    assertThat(h.encoding()).isEqualTo(CallbackSignature.Encoding.BASE64);
    assertThat(h.algorithm()).isEqualTo("SHA1");
  }

  @Test
  void mistakesAreReportedWhereTheyAre() {
    assertThatThrownBy(
            () ->
                load(
                    """
                    services:
                      Telnyx:
                        correlation:
                          CallDial:
                            callAnswered:
                              invocation: $url
                              callback: $request.body#/id
                        callbackSignature: {scheme: github, secret: "${env:TELNYX_KEY}"}
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(":6:")
        .hasMessageContaining("invocation's value must be");
    assertThatThrownBy(
            () ->
                load(
                    """
                    services:
                      Telnyx:
                        callbackSignature:
                          scheme: gitlab
                          secret: ${env:TELNYX_KEY}
                    """))
        .hasMessageContaining(":4:")
        .hasMessageContaining("known: standard-webhooks, github");
    assertThatThrownBy(
            () ->
                load(
                    """
                    services:
                      Telnyx:
                        correlation:
                          CallDial:
                            callAnswered: {invocation: "$response.body#/id", callback: "$request.body#/id"}
                    """))
        .hasMessageContaining(":3:")
        .hasMessageContaining("needs a callbackSignature");
    assertThatThrownBy(
            () ->
                load(
                    """
                    services:
                      Telnyx:
                        callbackSignature: {scheme: github, secret: plain-secret-in-file}
                    """))
        .hasMessageNotContaining("plain-secret-in-file");
  }

  @Test
  void theEarlyCallbackHoldIsReadAndAppliedToTheRuntime() throws IOException {
    ExtsvcConfig c =
        load(
            """
            callbacks:
              earlyCallbackHold: 90s
            """);
    assertThat(c.earlyCallbackHold()).isEqualTo(Duration.ofSeconds(90));
    assertThat(ExtsvcConfig.DEFAULTS.earlyCallbackHold()).isNull();
    try (ExternalServices runtime =
        c.configure(
                ExternalServices.builder()
                    .store(new InMemoryStore())
                    .publicBaseUrl("http://127.0.0.1:9"))
            .build()) {
      assertThat(runtime.earlyCallbackHold()).isEqualTo(Duration.ofSeconds(90));
    }
  }

  @Test
  void aBadEarlyCallbackHoldIsReportedAtItsLineAndColumn() {
    assertThatThrownBy(
            () ->
                load(
                    """
                    callbacks:
                      defaultTimeout: 1h
                      earlyCallbackHold: soon
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(":3:3:")
        .hasMessageContaining("duration");
    assertThatThrownBy(
            () ->
                load(
                    """
                    callbacks:
                      earlyCallbackHold: 0s
                    """))
        .hasMessageContaining(":2:")
        .hasMessageContaining("earlyCallbackHold must be positive");
    assertThatThrownBy(
            () ->
                load(
                    """
                    callbacks:
                      earlyHold: 5m
                    """))
        .hasMessageContaining(":2:")
        .hasMessageContaining("earlyCallbackHold");
  }
}
