package dev.extsvc.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How the console writes errors and times. */
class FormatTest {
  @Test
  void anErrorLosesItsExceptionClassesButKeepsItsWholeMessage() {
    assertThat(
            Format.reason(
                "Handler com.example.Handler failed on approved: java.lang.IllegalStateException:"
                    + " database is down"))
        .isEqualTo("Handler com.example.Handler failed on approved: database is down");
    assertThat(Format.reason("java.io.UncheckedIOException: java.io.IOException: disk full"))
        .isEqualTo("disk full");
    assertThat(Format.reason("Handler failed: java.lang.NullPointerException"))
        .isEqualTo("Handler failed: NullPointerException");
    assertThat(Format.reason("income too low (see java.lang.Math)"))
        .isEqualTo("income too low (see java.lang.Math)");
    assertThat(Format.reason(null)).isEmpty();
  }

  @Test
  void aTitleShowsTheIsoInstant() {
    assertThat(Format.iso(Instant.parse("2026-03-01T10:15:30.123Z")))
        .isEqualTo("2026-03-01T10:15:30.123Z");
    assertThat(Format.iso(null)).isEmpty();
  }
}
