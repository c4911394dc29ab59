package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.ACME;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED_BODY;
import static dev.extsvc.runtime.RuntimeFixture.BASE_URL;
import static dev.extsvc.runtime.RuntimeFixture.REJECTED;
import static dev.extsvc.runtime.RuntimeFixture.REJECTED_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One invocation, one trace: the callout's CLIENT span sends a W3C traceparent to the service (a
 * real HTTP server in process) and is stored with the invocation; callbacks received days later, on
 * this node or another on the same store, and their handler runs are its children; a timeout is
 * recorded in the same trace. Spans go to OpenTelemetry's in-memory exporter.
 */
class TracingTest {
  static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-01");

  final InMemorySpanExporter exported = InMemorySpanExporter.create();
  OpenTelemetrySdk nodeA;
  OpenTelemetrySdk nodeB;
  RuntimeFixture a;
  ExternalServices b;

  /** A node's own SDK, as another process would have: only the exporter is shared, to look. */
  OpenTelemetrySdk sdk() {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exported))
                .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  @BeforeEach
  void start() {
    TestHandler.reset();
    nodeA = sdk();
    nodeB = sdk();
    a =
        new RuntimeFixture(
            builder -> builder.openTelemetry(nodeA).maxCallbackTimeout(Duration.ofDays(7)));
    a.withAcme();
    b =
        ExternalServices.builder()
            .store(a.store.reopen())
            .publicBaseUrl(BASE_URL)
            .clock(a.clock)
            .startSweeper(false)
            .allowHandlerPackage("dev.extsvc.runtime")
            .openTelemetry(nodeB)
            .build();
  }

  @AfterEach
  void stop() {
    b.close();
    a.close();
    nodeA.close();
    nodeB.close();
    TestHandler.reset();
  }

  @Test
  void anInvocationItsCalloutAndCallbacksADayLaterAndOnAnotherNodeFormOneTrace() {
    Span request = nodeA.getTracer("app").spanBuilder("POST /applications").startSpan();
    InvocationResult r;
    try (Scope ignored = request.makeCurrent()) {
      r =
          a.services.invoke(
              ACME,
              RuntimeFixture.SUBMIT,
              RuntimeFixture.application("Ann"),
              new TestHandler("Ann", APPROVED),
              Duration.ofDays(3));
    } finally {
      request.end();
    }
    SpanData callout = only(SpanKind.CLIENT);
    SpanData app = named("POST /applications");
    assertThat(callout.getName()).isEqualTo("POST " + ACME + ".SubmitApplication");
    assertThat(callout.getParentSpanId()).isEqualTo(app.getSpanId());
    assertThat(callout.getTraceId()).isEqualTo(app.getTraceId());
    // the service got a valid traceparent naming the callout span
    String sent = a.bank.onlyRequest().header("traceparent");
    var m = TRACEPARENT.matcher(sent);
    assertThat(m.matches()).as("traceparent %s", sent).isTrue();
    assertThat(m.group(1)).isEqualTo(callout.getTraceId());
    assertThat(m.group(2)).isEqualTo(callout.getSpanId());
    assertThat(a.invocation(r.invocationId()).traceContext()).isEqualTo(sent);

    // a day later, on node A: a callback the handler does not take (404), with the sender's own
    // traceparent, which is linked
    a.clock.advance(Duration.ofDays(1));
    String senders = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    CallbackResponse declined =
        a.services
            .receiver()
            .handle(
                Callbacks.to("POST", r.callbackUrls().get(REJECTED))
                    .header("traceparent", senders)
                    .json(REJECTED_BODY)
                    .build());
    assertThat(declined.status()).isEqualTo(404);

    // then on node B, another runtime on the same store: the approval, handled
    CallbackResponse handled =
        b.receiver().handle(Callbacks.post(r.callbackUrls().get(APPROVED), APPROVED_BODY));
    assertThat(handled.status()).isEqualTo(200);
    assertThat(a.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);

    List<SpanData> all = exported.getFinishedSpanItems();
    assertThat(all).extracting(SpanData::getTraceId).containsOnly(app.getTraceId());
    List<SpanData> received = all.stream().filter(s -> s.getKind() == SpanKind.SERVER).toList();
    assertThat(received).hasSize(2);
    assertThat(received).extracting(SpanData::getParentSpanId).containsOnly(callout.getSpanId());
    SpanData first = received.get(0);
    SpanData second = received.get(1);
    assertThat(
            first
                .getAttributes()
                .get(io.opentelemetry.api.common.AttributeKey.stringKey("extsvc.callback.key")))
        .isEqualTo(REJECTED);
    assertThat(first.getLinks())
        .singleElement()
        .satisfies(
            l ->
                assertThat(l.getSpanContext().getTraceId())
                    .isEqualTo("0af7651916cd43dd8448eb211c80319c"));
    assertThat(first.getStartEpochNanos() - callout.getStartEpochNanos())
        .as("spans are timed by the SDK's clock, not the test clock")
        .isLessThan(Duration.ofDays(1).toNanos());
    assertThat(second.getLinks()).isEmpty();
    assertThat(second.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);

    List<SpanData> runs = all.stream().filter(s -> s.getName().startsWith("handler ")).toList();
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0).getParentSpanId()).isEqualTo(first.getSpanId());
    assertThat(
            runs.get(0)
                .getAttributes()
                .get(io.opentelemetry.api.common.AttributeKey.stringKey("extsvc.outcome")))
        .isEqualTo("not-handled");
    assertThat(runs.get(1).getParentSpanId()).isEqualTo(second.getSpanId());
    assertThat(
            runs.get(1)
                .getAttributes()
                .get(io.opentelemetry.api.common.AttributeKey.stringKey("extsvc.outcome")))
        .isEqualTo("handled");
  }

  @Test
  void aTimeoutIsASpanWithStatusErrorInTheInvocationsTrace() {
    InvocationResult r = a.submit(new TestHandler("Ann", APPROVED), Duration.ofHours(1));
    SpanData callout = only(SpanKind.CLIENT);

    a.clock.advance(Duration.ofHours(2));
    assertThat(a.services.sweepNow()).isEqualTo(1);

    SpanData timeout = named("timeout " + ACME + ".SubmitApplication");
    assertThat(timeout.getTraceId()).isEqualTo(callout.getTraceId());
    assertThat(timeout.getParentSpanId()).isEqualTo(callout.getSpanId());
    assertThat(timeout.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(a.status(r.invocationId())).isEqualTo(InvocationStatus.TIMED_OUT);
  }

  @Test
  void aCancellationIsASpanWithStatusErrorInTheInvocationsTrace() {
    InvocationResult r = a.submit(new TestHandler("Ann", APPROVED));
    SpanData callout = only(SpanKind.CLIENT);

    assertThat(b.cancel(r.invocationId(), "customer withdrew")).isTrue();

    SpanData cancel = named("cancel " + ACME + ".SubmitApplication");
    assertThat(cancel.getParentSpanId()).isEqualTo(callout.getSpanId());
    assertThat(cancel.getStatus().getDescription()).contains("customer withdrew");
  }

  @Test
  void withoutAnSdkNothingIsSentOrStored() {
    try (RuntimeFixture plain = new RuntimeFixture().withAcme()) {
      InvocationResult r = plain.submit(new TestHandler("Ann", APPROVED));

      assertThat(plain.bank.onlyRequest().header("traceparent")).isNull();
      assertThat(plain.invocation(r.invocationId()).traceContext()).isNull();
      assertThat(plain.approve(r).status()).isEqualTo(200);
    }
    assertThat(exported.getFinishedSpanItems()).isEmpty();
  }

  SpanData only(SpanKind kind) {
    return exported.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == kind)
        .reduce(
            (x, y) -> {
              throw new AssertionError("more than one " + kind + " span");
            })
        .orElseThrow(() -> new AssertionError("no " + kind + " span"));
  }

  SpanData named(String name) {
    return exported.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no span " + name + " in " + exported.getFinishedSpanItems()));
  }
}
