package dev.extsvc.cli;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry SDK for {@code extsvc serve}, configured by the standard {@code OTEL_*}
 * environment variables (or {@code otel.*} system properties) through the SDK's autoconfiguration,
 * and only when one of them asks for traces: {@code OTEL_TRACES_EXPORTER} (other than {@code
 * none}), {@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}. With
 * none set (or {@code OTEL_SDK_DISABLED=true}) there is no SDK at all: OpenTelemetry's no-op, no
 * exporter thread. extsvc exports traces only: metrics are served at {@code /metrics}, so the SDK's
 * metric and log exporters default to {@code none} (an {@code OTEL_METRICS_EXPORTER} set still
 * wins), and the service name defaults to {@code extsvc}.
 */
final class OpenTelemetrySetup {
  private static final List<String> ASKING =
      List.of(
          "OTEL_TRACES_EXPORTER",
          "OTEL_EXPORTER_OTLP_ENDPOINT",
          "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

  private OpenTelemetrySetup() {}

  /** The SDK when the settings ask for traces, else null (use OpenTelemetry's no-op). */
  static @Nullable OpenTelemetrySdk fromSettings(Map<String, String> env) {
    Function<String, @Nullable String> setting =
        name -> {
          String property = System.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'));
          return property != null ? property : env.get(name);
        };
    if ("true".equalsIgnoreCase(setting.apply("OTEL_SDK_DISABLED"))) {
      return null;
    }
    boolean asked = false;
    for (String name : ASKING) {
      String value = setting.apply(name);
      if (value != null && !value.isBlank() && !value.strip().equalsIgnoreCase("none")) {
        asked = true;
      }
    }
    if (!asked) {
      return null;
    }
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(
            () ->
                Map.of(
                    "otel.metrics.exporter", "none",
                    "otel.logs.exporter", "none",
                    "otel.service.name", "extsvc",
                    // the JDK's HTTP sender is on the class path, no gRPC one: OTLP over
                    // http/protobuf unless OTEL_EXPORTER_OTLP_PROTOCOL says otherwise
                    "otel.exporter.otlp.protocol", "http/protobuf"))
        .build()
        .getOpenTelemetrySdk();
  }

  /** {@link #fromSettings}, or the no-op. */
  static OpenTelemetry orNoop(@Nullable OpenTelemetrySdk sdk) {
    return sdk != null ? sdk : OpenTelemetry.noop();
  }
}
