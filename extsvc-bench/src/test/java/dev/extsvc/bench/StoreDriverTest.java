package dev.extsvc.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The driver's path works end to end: every callback leased and completed, the costs printed. */
class StoreDriverTest {
  @Test
  void aSmallRunLeasesAndCompletesEveryInvocationAndPrintsTheWritersCost() throws Exception {
    var out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      StoreDriver.main(new String[] {"200", "DROP TRIGGER extsvc_activity_event"});
    } finally {
      System.setOut(original);
    }

    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .containsPattern("200 callbacks in [0-9.]+ s: [0-9]+/s; [0-9.]+ KB written")
        .containsPattern("extsvc-sqlite-writer: [0-9.]+ ms CPU per callback");
  }
}
