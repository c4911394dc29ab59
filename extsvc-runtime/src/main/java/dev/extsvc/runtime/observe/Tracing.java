package dev.extsvc.runtime.observe;

import dev.extsvc.runtime.store.InvocationRow;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The runtime's spans, one trace per invocation however long it lives: the callout is a CLIENT span
 * (its W3C {@code traceparent} goes to the service, and is stored with the invocation); each
 * callback received is a SERVER span and each handler run an INTERNAL span, <em>children</em> of
 * the stored callout span, days later and on any node; a timeout or a cancellation is a short span
 * of its own in the same trace, with status ERROR. A callback that carries a {@code traceparent} of
 * the sender's own is linked to it. With OpenTelemetry's no-op (nothing configured) every span is a
 * no-op and nothing is stored.
 */
public final class Tracing {
  /** Tracing that records nothing: OpenTelemetry's no-op. */
  public static final Tracing NONE = new Tracing(OpenTelemetry.noop());

  static final String SCOPE = "dev.extsvc.runtime";
  public static final AttributeKey<String> SERVICE = AttributeKey.stringKey("extsvc.service");
  public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("extsvc.operation");
  public static final AttributeKey<String> INVOCATION =
      AttributeKey.stringKey("extsvc.invocation.id");
  public static final AttributeKey<String> KEY = AttributeKey.stringKey("extsvc.callback.key");
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("extsvc.outcome");

  /** How many callbacks one handler run was given together (progress keys batch them). */
  public static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("extsvc.callback.batch");

  public static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  public static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  public static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");

  private static final TextMapGetter<Map<String, String>> MAP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;

  public Tracing(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer(SCOPE);
  }

  /**
   * The callout's CLIENT span, a child of whatever span is current where {@code invoke} was called
   * (the application's request, say); the caller ends it.
   */
  public Span startCallout(String service, String operation, String method, String redactedUrl) {
    return tracer
        .spanBuilder(method + " " + service + "." + operation)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(SERVICE, service)
        .setAttribute(OPERATION, operation)
        .setAttribute(METHOD, method)
        .setAttribute(URL, redactedUrl)
        .startSpan();
  }

  /** Writes the span's context into outgoing headers with the configured propagators (W3C). */
  public void inject(Span span, Map<String, String> headers) {
    openTelemetry
        .getPropagators()
        .getTextMapPropagator()
        .inject(Context.current().with(span), headers, (h, k, v) -> headers.put(k, v));
  }

  /** The span's context as a W3C {@code traceparent} to store, or null when it is not traced. */
  public static @Nullable String traceparent(Span span) {
    SpanContext c = span.getSpanContext();
    if (!c.isValid()) {
      return null;
    }
    return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
  }

  /**
   * The stored callout span as a remote parent; the root context when none was stored (the callout
   * was not traced), so what follows starts a trace of its own.
   */
  public static Context storedParent(@Nullable String traceparent) {
    if (traceparent == null) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance()
        .extract(Context.root(), Map.of("traceparent", traceparent), MAP_GETTER);
  }

  /**
   * A callback received for an invocation: SERVER span, child of the stored callout span, linked to
   * the sender's own span when its request carried a valid {@code traceparent}.
   */
  public Span startCallback(
      InvocationRow inv, String method, Function<String, @Nullable String> header) {
    var builder =
        tracer
            .spanBuilder("callback " + inv.service() + "." + inv.operation())
            .setSpanKind(SpanKind.SERVER)
            .setParent(storedParent(inv.traceContext()))
            .setAttribute(SERVICE, inv.service())
            .setAttribute(OPERATION, inv.operation())
            .setAttribute(INVOCATION, inv.id().toString())
            .setAttribute(METHOD, method);
    String senders = header.apply("traceparent");
    if (senders != null) {
      SpanContext sender =
          Span.fromContext(
                  W3CTraceContextPropagator.getInstance()
                      .extract(Context.root(), Map.of("traceparent", senders), MAP_GETTER))
              .getSpanContext();
      if (sender.isValid()) {
        builder.addLink(sender);
      }
    }
    return builder.startSpan();
  }

  /**
   * A handler run: child of the callback's span when it runs for the sender now (that span is
   * current), else (a durable callback, a retry, a recovery, a replay) of the stored callout span.
   */
  public Span startHandler(InvocationRow inv, String key) {
    Span current = Span.current();
    Context parent =
        current.getSpanContext().isValid() ? Context.current() : storedParent(inv.traceContext());
    return tracer
        .spanBuilder("handler " + inv.service() + "." + inv.operation() + " " + key)
        .setSpanKind(SpanKind.INTERNAL)
        .setParent(parent)
        .setAttribute(SERVICE, inv.service())
        .setAttribute(OPERATION, inv.operation())
        .setAttribute(INVOCATION, inv.id().toString())
        .setAttribute(KEY, key)
        .startSpan();
  }

  /** The invocation timed out: a short span with status ERROR in its trace. */
  public void timedOut(InvocationRow inv, String reason) {
    ended(inv, "timeout", reason);
  }

  /** The invocation was cancelled: a short span with status ERROR in its trace. */
  public void cancelled(InvocationRow inv, String reason) {
    ended(inv, "cancel", reason);
  }

  /** As {@link #timedOut} and {@link #cancelled}, for a batch the sweeper timed out. */
  public void timedOut(List<InvocationRow> invocations, String reason) {
    invocations.forEach(inv -> timedOut(inv, reason));
  }

  private void ended(InvocationRow inv, String what, String reason) {
    if (inv.traceContext() == null) {
      return; // not traced: a root span of its own would be an orphan nobody looks for
    }
    Span span =
        tracer
            .spanBuilder(what + " " + inv.service() + "." + inv.operation())
            .setSpanKind(SpanKind.INTERNAL)
            .setParent(storedParent(inv.traceContext()))
            .setAttribute(SERVICE, inv.service())
            .setAttribute(OPERATION, inv.operation())
            .setAttribute(INVOCATION, inv.id().toString())
            .startSpan();
    span.addEvent(what.equals("timeout") ? "invocation timed out" : "invocation cancelled");
    span.setStatus(StatusCode.ERROR, reason);
    span.end();
  }
}
