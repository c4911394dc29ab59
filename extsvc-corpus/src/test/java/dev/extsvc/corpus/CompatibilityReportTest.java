package dev.extsvc.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.spec.Diagnostic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompatibilityReportTest {
  @TempDir Path dir;

  private static Selection.Candidate candidate(String name) {
    return new Selection.Candidate(Path.of(name), name, 1000, true, true);
  }

  private static Outcome compiled(String name) {
    return new Outcome(
        candidate(name),
        Outcome.Result.COMPILED,
        true,
        "",
        List.of(),
        3,
        1,
        2,
        1,
        4,
        10,
        20,
        30,
        5,
        1,
        List.of(),
        2);
  }

  private static Outcome refused(String name, String message) {
    return new Outcome(
        candidate(name),
        Outcome.Result.REFUSED,
        false,
        "",
        List.of(new Diagnostic(dev.extsvc.spec.Severity.ERROR, "/paths", 3, message)),
        0,
        0,
        0,
        0,
        0,
        5,
        0,
        0,
        0,
        0,
        List.of(),
        0);
  }

  @Test
  void countsEachDocumentOnceAndRefusalsByReason() {
    List<CompatibilityReport.Group> groups =
        List.of(
            new CompatibilityReport.Group(
                "A",
                "",
                List.of(
                    compiled("a.json"),
                    refused("b.json", "document is 99 bytes; the limit for JSON is 10 MB"))),
            new CompatibilityReport.Group("B", "", List.of(compiled("a.json"))));

    String md = CompatibilityReport.render("corpus", groups, List.of(), "env");

    assertThat(CompatibilityReport.totals(CompatibilityReport.distinct(groups)))
        .isEqualTo(
            "tried 2, registered 1, refused 1, generated 1 (failed 0), compiled 1 (failed 0), hangs 0, crashes 0,"
                + " keys awaitable 1, delivered end to end 1, awaitable by correlation with the"
                + " configured rules 2");
    assertThat(md)
        .contains("| tried | 2 |")
        .contains("Callback keys awaitable: 1; delivered end to end: 1.")
        .contains("become awaitable by correlation")
        .contains("): 2, in 1 documents (a.json 2).")
        .contains("| larger than the size limit (10 MB JSON, 3 MB YAML by default) | 1 |")
        .contains(
            "| a.json | 3 | 1 | 2 | 1 | 1 | 4 | compiled (5 files) | register 10 ms, generate 20 ms, compile 30 ms |")
        .contains("- **b.json**\n  - ERROR line 3 (#/paths): document is 99 bytes");
  }

  @Test
  void keepsTheHandWrittenPartAboveTheMarker() throws Exception {
    Path doc = dir.resolve("compatibility.md");
    Files.writeString(doc, "# Title\n\nkept\n\n" + CompatibilityReport.MARKER + "\n\nold table\n");

    CompatibilityReport.writeInto(doc, "new table\n");

    assertThat(Files.readString(doc))
        .isEqualTo("# Title\n\nkept\n\n" + CompatibilityReport.MARKER + "\n\nnew table\n");
  }

  @Test
  void escapesTableCells() {
    assertThat(CompatibilityReport.cell("a|b\n<c>")).isEqualTo("a\\|b &lt;c>");
  }
}
