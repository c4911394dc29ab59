package dev.extsvc.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the targets section judges the warm-up: when the rate stopped rising. */
class TargetsTest {
  static final Duration WINDOW = Duration.ofSeconds(5);

  @Test
  void aRateThatStopsRisingAtTheFourthWindowWasSteadyAfterFifteenSeconds() {
    assertThat(Targets.steadyWithin(List.of(542.0, 1576.0, 2572.0, 2600.0), WINDOW))
        .isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void aSecondWindowNoFasterThanTheFirstMeansSteadyWithinTheFirstWindow() {
    assertThat(Targets.steadyWithin(List.of(1000.0, 1020.0), WINDOW))
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aRateStillRisingInTheLastWindowHasNoSteadyState() {
    assertThat(Targets.steadyWithin(List.of(100.0, 200.0, 400.0), WINDOW)).isNull();
  }

  @Test
  void nothingMeasuredWritesNoSection() {
    assertThat(new Targets().markdown()).isEmpty();
  }
}
