package dev.extsvc.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short version of the kill -9 fault suite, in every build: five kills of a server process on
 * SQLite at points of the callback path, with retrying senders; nothing lost, nothing doubled. The
 * full suite is scripts/fault-suite.
 */
class FaultSuiteTest {
  @TempDir Path dir;

  @Test
  void fiveKillsOfTheServerLoseNothingAndDoubleNothing() throws Exception {
    FaultFigures figures = new FaultRun(FaultSuite.Options.quick(dir), StoreKind.SQLITE).run();

    assertThat(figures.problems()).isEmpty();
    assertThat(figures.totalKills()).isEqualTo(5);
    assertThat(figures.acked()).isEqualTo(figures.callbacks());
    assertThat(figures.tokensInLogs()).isZero();
  }
}
