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
    assertThat(Targets.steadyWithin(List.of(542.0, 1576.0, 2572.0, 2600.0), 2610, WINDOW))
        .isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void aSecondWindowNoFasterThanTheFirstMeansSteadyWithinTheFirstWindow() {
    assertThat(Targets.steadyWithin(List.of(1000.0, 1020.0), 1010, WINDOW))
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aRateStillRisingInTheLastWindowHasNoSteadyState() {
    assertThat(Targets.steadyWithin(List.of(100.0, 200.0, 400.0), 800, WINDOW)).isNull();
  }

  @Test
  void aPauseInTheRiseIsNotTheSteadyState() {
    // SQLite's invocations in one run: +4 % from 5 to 10 s, then up by 30 % until 30 s
    var rates = List.of(647.0, 996.0, 1039.0, 1141.0, 1250.0, 1348.0, 1204.0);
    assertThat(Targets.steadyWithin(rates, 1187, WINDOW)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aTimedRunFasterThanEveryWarmUpWindowMeansTheWarmUpNeverEnded() {
    assertThat(Targets.steadyWithin(List.of(900.0, 1000.0, 1010.0), 1200, WINDOW)).isNull();
  }

  @Test
  void aRunOfSomeSectionsKeepsTheVerdictsOfTheOthersMarkedAsKept() {
    String kept =
        Targets.HEADING
            + "\n\n| target | this run | |\n|---|---|---|\n"
            + "| sweeper, SQLite: 100,000 in ≤ 5 s | 5.9 s | **not met** |\n"
            + "| codegen: Acme | 5.4× | **met** |\n"
            + "| invocations, SQLite ≥ 15 % | run before: 3.2 % | **not met** |\n\n"
            + "Load average after: 1 2 3.\n";
    String ours =
        Targets.HEADING
            + "\n\n| target | this run | |\n|---|---|---|\n"
            + "| codegen: Acme | 7.0× | **met** |\n\n"
            + "Load average after: 4 5 6.\n";

    String merged = Targets.withKeptRows(ours, kept);

    assertThat(merged)
        .contains("| codegen: Acme | 7.0× | **met** |\n")
        .doesNotContain("5.4×")
        .contains("| sweeper, SQLite: 100,000 in ≤ 5 s | run before: 5.9 s | **not met** |\n")
        .contains("| invocations, SQLite ≥ 15 % | run before: 3.2 % | **not met** |\n")
        .doesNotContain("run before: run before")
        .contains("Load average after: 4 5 6.")
        .doesNotContain("1 2 3");
    assertThat(merged.indexOf("run before: 5.9 s")).isLessThan(merged.indexOf("Load average"));
  }

  @Test
  void aRunThatJudgedEveryTargetKeepsNothing() {
    String ours =
        Targets.HEADING + "\n\n| target | this run | |\n|---|---|---|\n| a | 1 | **met** |\n";
    assertThat(Targets.withKeptRows(ours, ours)).isEqualTo(ours);
  }

  @Test
  void nothingMeasuredWritesNoSection() {
    assertThat(new Targets().markdown()).isEmpty();
  }
}
