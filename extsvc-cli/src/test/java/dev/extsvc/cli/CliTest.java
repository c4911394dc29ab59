package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
    assertThat(r.out())
        .contains("SubmitApplication POST /applications  asynchronous")
        .contains(
            "callback applicationError POST {$request.query.callbackUrlForErrorCases}: "
                + "URL written to the query parameter callbackUrlForErrorCases")
        .contains("registered: 0 error(s)");
  }

  @Test
  void checkExitsWith1AndSaysWhereOnErrors() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(
        bad,
        "{\"openapi\":\"3.0.0\",\n\"info\":{\"title\":\"x\",\"version\":\"1\"},\n\"paths\": [}");

    Run r = run("check", bad.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("ERROR line 3").doesNotContain("Exception");
  }

  @Test
  void checkSpeaksJsonForTools() {
    Run r = run("check", "--format", "json", "../examples/acme-mortgages.json");

    JsonNode json = Json.readTrusted(r.out());
    assertThat(json.get("registered").asBoolean()).isTrue();
    assertThat(json.at("/operations/0/callbacks/0/target").asText())
        .isEqualTo("body:/callbackUrlForOutcomes/approved");
  }

  @Test
  void checkListsEachKeyOfEachAsyncOperationWithItsVerdictThenTheDiagnosticsWithLines()
      throws Exception {
    Path doc = dir.resolve("orders.yaml");
    Files.writeString(
        doc,
        """
        openapi: 3.0.3
        info: {title: Orders, version: '2'}
        paths:
          /orders:
            post:
              operationId: placeOrder
              requestBody:
                content:
                  application/json:
                    schema: {type: object, properties: {hook: {type: string}}}
              responses: {'202': {description: accepted}}
              callbacks:
                shipped:
                  '{$request.body#/hook}/shipped':
                    post: {responses: {'200': {description: ok}}}
                moved:
                  '{$response.header.Location}':
                    post: {responses: {'200': {description: ok}}}
          /orders/{id}:
            get:
              operationId: getOrder
              parameters: [{name: id, in: path, required: true, schema: {type: string}}]
              responses: {'200': {description: ok}}
        """);

    Run r = run("check", doc.toString());

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "Service Orders 2 (OpenAPI 3.0.3): 2 operations, 1 asynchronous, 2 callback keys"
                + " (1 can be awaited)")
        .contains(
            "  placeOrder POST /orders  asynchronous\n"
                + "    callback shipped POST {$request.body#/hook}/shipped: URL written to the request body at /hook,"
                + " followed by '/shipped'\n"
                + "    callback moved POST {$response.header.Location}: cannot be awaited: the URL is chosen by the"
                + " service in its response")
        .contains("(1 synchronous operation not listed; --all-operations lists them)")
        .contains("Diagnostics:\n")
        .contains(
            "\n  WARNING line 17 (#/paths/~1orders/post/callbacks/moved/{$response.header.Location}): callback moved"
                + " cannot be awaited")
        .doesNotContain("getOrder");
    assertThat(run("check", "--all-operations", doc.toString()).out())
        .contains("  getOrder GET /orders/{id}  synchronous");
  }

  @Test
  void checkRefusesADocumentOverTheSizeLimitAndTheOptionRaisesIt() throws Exception {
    Path big = dir.resolve("big.json");
    Files.writeString(
        big,
        "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"t\",\"version\":\"1\",\"description\":\""
            + "x".repeat(1_200_000)
            + "\"},\"paths\":{}}");

    Run refused = run("check", "--max-json-mb", "1", big.toString());
    Run raised = run("check", "--max-json-mb", "2", big.toString());

    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.out())
        .contains("the limit for JSON is 1 MB")
        .contains("--max-json-mb and --max-yaml-mb raise");
    assertThat(raised.code()).isZero();
    assertThat(run("check", "--max-yaml-mb", "0", big.toString()).code()).isEqualTo(2);
  }

  @Test
  void checkInJsonGivesEachKeyItsVerdict() {
    Run r = run("check", "--format", "json", "../examples/acme-mortgages.json");

    JsonNode op = Json.readTrusted(r.out()).at("/operations/0");
    assertThat(op.at("/keys/0/awaitable").asBoolean()).isTrue();
    assertThat(op.at("/callbacks/0/verdict").asText())
        .isEqualTo("URL written to the request body at /callbackUrlForOutcomes/approved");
    assertThat(op.at("/callbacks/0/pointer").asText())
        .isEqualTo(
            "/components/callbacks/ApplicationApproved/{$request.body#~1callbackUrlForOutcomes~1approved}/post");
  }

  @Test
  void generateWritesTheTypedClient() throws Exception {
    Run r =
        run(
            "generate",
            "../examples/acme-mortgages.json",
            "--package",
            "com.example.acme",
            "--output",
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

    Run r =
        run(
            "generate",
            bad.toString(),
            "--package",
            "p",
            "--output",
            dir.resolve("out").toString());

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
    assertThat(r.out())
        .contains("All 4 applications reached their handlers by callback")
        .contains("contact created for Alice")
        .contains("rejected: Debt-to-income ratio too high")
        .contains("error reported by the bank: Proof of income missing for Dave");
    assertThat(dir.resolve("extsvc.db")).exists();
  }
}
