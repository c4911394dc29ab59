package dev.extsvc.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {
  static final List<String> KEYS = List.of("status", "done");

  @TempDir Path dir;

  @Test
  void theFlagFormGivesStepsWithTimesAndIntervals() {
    Scenario s = Scenario.parse("status*3@200ms, done@1s");

    assertThat(s.steps())
        .containsExactly(
            new Scenario.Step("status", 3, Duration.ofMillis(200)),
            new Scenario.Step("done", 1, Duration.ofSeconds(1)));
    assertThat(s.plan(KEYS, new Random(0)))
        .containsExactly(
            new Scenario.Planned("status", 1, Duration.ZERO),
            new Scenario.Planned("status", 2, Duration.ofMillis(200)),
            new Scenario.Planned("status", 3, Duration.ofMillis(400)),
            new Scenario.Planned("done", 4, Duration.ofMillis(1400)));
  }

  @Test
  void duplicatesFollowTheirOriginalAndAShuffleIsTheSameForTheSameSeed() {
    Scenario dup = Scenario.parse("status*2@100ms,done@100ms").withDuplicates(1);
    assertThat(dup.plan(KEYS, null))
        .extracting(Scenario.Planned::sequence)
        .containsExactly(1, 1, 2, 2, 3, 3);

    Scenario shuffled = Scenario.parse("status*5@100ms,done@100ms").withOutOfOrder(true, 7);
    List<Integer> once =
        shuffled.plan(KEYS, new Random(7)).stream().map(Scenario.Planned::sequence).toList();
    List<Integer> again =
        shuffled.plan(KEYS, new Random(7)).stream().map(Scenario.Planned::sequence).toList();
    assertThat(once).isEqualTo(again).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
    assertThat(once).isNotEqualTo(List.of(1, 2, 3, 4, 5, 6));
  }

  @Test
  void stepsOfKeysAnOperationLacksAreLeftOutOfItsPlan() {
    Scenario s = Scenario.parse("status*2,other,done");
    assertThat(s.appliesTo(List.of("other"))).isTrue();
    assertThat(s.appliesTo(List.of("nothing"))).isFalse();
    assertThat(s.plan(KEYS, null))
        .extracting(Scenario.Planned::key)
        .containsExactly("status", "status", "done");
  }

  @Test
  void aScenarioFileReadsLikeTheFlagsAndSaysWhatIsWrong() throws IOException {
    Path file = dir.resolve("scenario.yaml");
    Files.writeString(
        file,
        """
        steps:
          - {key: status, times: 3, every: 200ms}
          - {key: done, every: 1s}
        duplicates: 1
        outOfOrder: true
        jitter: 300ms
        seed: 42
        """);
    Scenario s = Scenario.load(file);
    assertThat(s.steps()).hasSize(2);
    assertThat(s.duplicates()).isEqualTo(1);
    assertThat(s.outOfOrder()).isTrue();
    assertThat(s.jitter()).isEqualTo(Duration.ofMillis(300));
    assertThat(s.seed()).isEqualTo(42);

    Files.writeString(file, "steps:\n  - {key: status, count: 3}\n");
    assertThatThrownBy(() -> Scenario.load(file))
        .hasMessageContaining("steps[0]: unknown key 'count'");
    assertThatThrownBy(() -> Scenario.parse("status*x"))
        .hasMessageContaining("KEY, KEY*TIMES or KEY*TIMES@INTERVAL");
  }
}
