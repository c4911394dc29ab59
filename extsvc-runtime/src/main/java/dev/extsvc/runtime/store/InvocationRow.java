package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One invocation (synchronous or asynchronous) as stored.
 *
 * @param id a UUIDv7 whose timestamp is {@code submitTime}'s millisecond, so ids sort by creation
 *     time (stores may rely on it to turn a time range into an id range)
 * @param request the outgoing request as JSON ({@code RequestParts} form) with callback tokens
 *     masked
 * @param handlerType the handler's type name, null when the invocation has no Java handler
 * @param handlerState the handler's state as JSON, null when none
 * @param syncStatus the synchronous answer's status, null until the callout returned
 * @param syncHeaders the synchronous answer's headers as a JSON object
 * @param deadline when a PENDING invocation times out; for synchronous ones, the submit time
 * @param traceContext the W3C {@code traceparent} of the callout's span, the parent of the spans of
 *     its callbacks, handler runs, timeout and cancellation; null when the callout was not traced
 */
public record InvocationRow(
    UUID id,
    String service,
    String operation,
    boolean async,
    InvocationStatus status,
    @Nullable String reason,
    @Nullable String handlerType,
    @Nullable String handlerState,
    String request,
    @Nullable Integer syncStatus,
    @Nullable String syncHeaders,
    @Nullable String syncBody,
    Instant submitTime,
    Instant deadline,
    @Nullable Instant finishedAt,
    @Nullable String traceContext) {

  /** An invocation without a trace context (not traced, or stored before traces were). */
  public InvocationRow(
      UUID id,
      String service,
      String operation,
      boolean async,
      InvocationStatus status,
      @Nullable String reason,
      @Nullable String handlerType,
      @Nullable String handlerState,
      String request,
      @Nullable Integer syncStatus,
      @Nullable String syncHeaders,
      @Nullable String syncBody,
      Instant submitTime,
      Instant deadline,
      @Nullable Instant finishedAt) {
    this(
        id,
        service,
        operation,
        async,
        status,
        reason,
        handlerType,
        handlerState,
        request,
        syncStatus,
        syncHeaders,
        syncBody,
        submitTime,
        deadline,
        finishedAt,
        null);
  }
}
