package dev.extsvc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outside load end to end on a tiny run, in every build where wrk is installed: {@code extsvc
 * serve}, the bare and naive servers and the stand-in in their own JVMs, wrk in its own process,
 * the delivery check afterwards. Nothing here is about speed: the figures are scripts/bench's.
 */
class OutsideLoadTest {
  @TempDir Path dir;

  @Test
  void everyServerIsMeasuredFromWrkAndEveryCallbackSentIsDeliveredOnce() {
    assumeTrue(Wrk.available(), "wrk is not installed (scripts/bench installs it)");
    OutsideLoad.Figures figures;
    try (Databases databases = new Databases(dir.resolve("db"))) {
      figures =
          new OutsideLoad(
                  OutsideLoad.Plan.tiny(), databases, dir.resolve("wrk"), dir.resolve("logs"))
              .measure(List.of(StoreKind.SQLITE));
    }

    OutsideLoad.StoreRows sqlite = figures.stores().get(0);
    assertThat(sqlite.checkedCallbacks()).isPositive();
    assertThat(sqlite.checkedInvocations()).isPositive();
    for (OutsideLoad.Row row :
        List.of(
            sqlite.first(),
            sqlite.repeats(),
            sqlite.invocations(),
            sqlite.naive(),
            figures.bareHelidon())) {
      assertThat(row.timed().requests()).as(row.subject()).isPositive();
      assertThat(row.cpuMillis())
          .as(row.subject())
          .containsKeys(OutsideLoad.SERVER, OutsideLoad.WRK);
      assertThat(row.warmup()).as(row.subject()).hasSize(1);
    }
    assertThat(sqlite.invocations().cpuMillis()).containsKey(OutsideLoad.STAND_IN);
    assertThat(figures.bareCallout().timed().requests()).isPositive();
    assertThat(figures.bareCallout().cpuMillis())
        .containsKeys(OutsideLoad.STAND_IN, OutsideLoad.WRK);
    assertThat(OutsideReport.of(figures, "1.00 1.00 1.00"))
        .contains("### Callback ingest, first delivery")
        .contains("| extsvc, SQLite |")
        .contains("Checked after the run: SQLite: ");
  }
}
