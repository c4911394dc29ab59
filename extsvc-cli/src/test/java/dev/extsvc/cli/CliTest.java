package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.internal.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a function from arguments to exit code and output. */
class CliTest {
  record Run(int code, String out, String err) {}

  @TempDir Path dir;

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void checkPrintsWhereEachCallbackUrlIsWritten() {
    Run r = run("check", "../examples/acme-mortgages.json");

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("SubmitApplication POST /applications  asynchronous")
        .contains("callback applicationError POST {$request.query.callbackUrlForErrorCases}: "
            + "URL written to the query parameter callbackUrlForErrorCases")
        .contains("registered: 0 error(s)");
  }

  @Test
  void checkExitsWith1AndSaysWhereOnErrors() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"openapi\":\"3.0.0\",\n\"info\":{\"title\":\"x\",\"version\":\"1\"},\n\"paths\": [}");

    Run r = run("check", bad.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("ERROR line 3").doesNotContain("Exception");
  }

  @Test
  void checkSpeaksJsonForTools() {
    Run r = run("check", "--format", "json", "../examples/acme-mortgages.json");

    JsonNode json = Json.readTrusted(r.out());
    assertThat(json.get("registered").asBoolean()).isTrue();
    assertThat(json.at("/operations/0/callbacks/0/target").asText()).isEqualTo("body:/callbackUrlForOutcomes/approved");
  }

  @Test
  void generateWritesTheTypedClient() throws Exception {
    Run r = run("generate", "../examples/acme-mortgages.json", "--package", "com.example.acme", "--output",
        dir.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(dir.resolve("com/example/acme/AcmeMortgages.java")).exists();
    assertThat(Files.readString(dir.resolve("com/example/acme/AcmeMortgages.java")))
        .contains("submitApplication(");
  }

  @Test
  void generateRefusesABadSpecWithTheReport() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"openapi\":\"3.0.0\"}");

    Run r = run("generate", bad.toString(), "--package", "p", "--output", dir.resolve("out").toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("ERROR").doesNotContain("Exception");
  }

  @Test
  void unknownOptionsAreAUsageError() {
    assertThat(run("check", "--nope", "x").code()).isEqualTo(2);
  }

  @Test
  void theDemoRunsTheStoryToTheEndAndExits0() {
    Run r = run("demo", "--delay", "PT0.2S", "--data", dir.toString());

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("All 4 applications reached their handlers by callback")
        .contains("contact created for Alice")
        .contains("rejected: Debt-to-income ratio too high")
        .contains("error reported by the bank: Proof of income missing for Dave");
    assertThat(dir.resolve("extsvc.db")).exists();
  }
}
