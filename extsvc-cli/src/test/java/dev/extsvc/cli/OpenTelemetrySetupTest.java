package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** serve's OpenTelemetry: no SDK unless an OTEL_* setting asks for traces. */
class OpenTelemetrySetupTest {
  @Test
  void withNothingSetThereIsNoSdk() {
    assertThat(OpenTelemetrySetup.fromSettings(Map.of())).isNull();
    assertThat(OpenTelemetrySetup.orNoop(null)).isSameAs(OpenTelemetry.noop());
  }

  @Test
  void tracesExporterNoneOrTheSdkDisabledStartNoSdk() {
    assertThat(OpenTelemetrySetup.fromSettings(Map.of("OTEL_TRACES_EXPORTER", "none"))).isNull();
    assertThat(
            OpenTelemetrySetup.fromSettings(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
                    "OTEL_SDK_DISABLED", "true")))
        .isNull();
  }

  @Test
  void anOtlpEndpointStartsTheSdkThatTracesEverySpan() {
    OpenTelemetrySdk sdk =
        OpenTelemetrySetup.fromSettings(
            Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"));
    try {
      assertThat(sdk).isNotNull();
      var span = sdk.getTracer("test").spanBuilder("probe").startSpan();
      assertThat(span.getSpanContext().isValid()).isTrue();
      assertThat(span.isRecording()).isTrue();
      span.end();
    } finally {
      if (sdk != null) {
        sdk.shutdown().join(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }
}
