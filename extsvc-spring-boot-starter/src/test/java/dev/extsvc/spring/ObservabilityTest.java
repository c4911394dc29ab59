package dev.extsvc.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.testing.LoopbackService;
import dev.extsvc.spec.RequestParts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The application's MeterRegistry gets extsvc's meters, and its OpenTelemetry (as the Micrometer
 * Tracing bridge provides one) gets extsvc's spans.
 */
class ObservabilityTest {
  @TempDir Path dir;

  @Test
  void theApplicationsRegistryAndOpenTelemetryAreUsed() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    try (LoopbackService bank = new LoopbackService()) {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ExtsvcAutoConfiguration.class))
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withBean(OpenTelemetry.class, () -> sdk)
          .withPropertyValues(
              "extsvc.public-base-url=https://app.example.com",
              "extsvc.store.sqlite-file=" + dir.resolve("extsvc.db"),
              "extsvc.services.acme.name=Acme Mortgages",
              "extsvc.services.acme.spec=file:"
                  + Path.of("../examples/acme-mortgages.json").toAbsolutePath(),
              "extsvc.services.acme.endpoint=" + bank.url(),
              "extsvc.services.acme.allow-private-network=true")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                ExternalServices services = context.getBean(ExternalServices.class);
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                RequestParts request =
                    new RequestParts()
                        .body(new ObjectMapper().readTree("{\"applicant\":{\"name\":\"Alice\"}}"));

                InvocationResult r =
                    services.invoke(
                        "Acme Mortgages", "SubmitApplication", request, null, Duration.ofHours(1));
                services.cancel(r.invocationId(), "withdrawn");

                assertThat(bank.onlyRequest().header("traceparent")).startsWith("00-");
                assertThat(spans.getFinishedSpanItems())
                    .anyMatch(s -> s.getKind() == SpanKind.CLIENT)
                    .anyMatch(s -> s.getName().equals("cancel Acme Mortgages.SubmitApplication"));
                assertThat(
                        registry
                            .get("extsvc.invocations.finished")
                            .tag("status", "CANCELLED")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
                assertThat(
                        registry
                            .get("extsvc.invocations")
                            .tag("status", "CANCELLED")
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
                assertThat(
                        registry
                            .get("extsvc.store.duration")
                            .tag("method", "createInvocation")
                            .timer()
                            .count())
                    .isEqualTo(1);
              });
    } finally {
      sdk.close();
    }
  }
}
