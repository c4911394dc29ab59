package dev.extsvc.runtime.observe;

/** What each stage reports to: its spans and its meters. */
public record Telemetry(Tracing tracing, Meters meters) {
  /** Nothing traced, nothing measured. */
  public static final Telemetry NONE = new Telemetry(Tracing.NONE, Meters.NONE);
}
