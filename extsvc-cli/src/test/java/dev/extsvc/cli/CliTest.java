package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
  void theDemoRunsBothStoriesToTheEndAndExits0() {
    Run r = run("demo", "--delay", "PT0.2S", "--data", dir.toString());

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("All 4 applications reached their handlers by callback")
        .contains("contact created for Alice")
        .contains("rejected: Debt-to-income ratio too high")
        .contains("error reported by the bank: Proof of income missing for Dave");
    assertThat(dir.resolve("extsvc.db")).exists();

    // the second story: the mock's scenario swaps the first two updates and sends each twice
    assertThat(r.out())
        .contains("shipmentStatus     progress (x-extsvc-final: false)")
        .contains("trackerAlive       heartbeat (x-extsvc-heartbeat: PT2H)")
        .contains("handler  Erin   status update #2: in transit at Leipzig hub")
        .contains("handler  Erin   tracker heartbeat #4: battery 87%")
        .contains("handler  Erin   delivered #5: signed by Erin")
        .contains("  handler runs  shipmentStatus #2, shipmentStatus #1, shipmentStatus #3,")
        .contains("  callbacks     5 stored, 5 handled; 5 repeats answered")
        .contains("  status        COMPLETED (1 COMPLETED event)")
        .contains(
            "The parcel's 3 status updates, its heartbeat and its delivery reached its handler")
        .containsPattern("deadline +moved by the heartbeat from \\S+ to \\S+");
    assertThat(r.out().indexOf("status update #2"))
        .as("the handler saw the swapped update first")
        .isLessThan(r.out().indexOf("status update #1"));

    try (JdbcStore store = JdbcStore.sqlite(dir.resolve("extsvc.db"))) {
      List<InvocationRow> parcels =
          store.invocations(InvocationQuery.all(100)).stream()
              .filter(i -> i.service().equals("Swift Parcels"))
              .toList();
      assertThat(parcels).hasSize(1);
      InvocationRow parcel = parcels.get(0);
      assertThat(parcel.status()).isEqualTo(InvocationStatus.COMPLETED);
      assertThat(store.callbacks(parcel.id()))
          .extracting(CallbackRow::key, CallbackRow::outcome)
          .containsExactlyInAnyOrder(
              tuple("shipmentStatus", CallbackOutcome.HANDLED),
              tuple("shipmentStatus", CallbackOutcome.HANDLED),
              tuple("shipmentStatus", CallbackOutcome.HANDLED),
              tuple("trackerAlive", CallbackOutcome.HANDLED),
              tuple("shipmentDelivered", CallbackOutcome.HANDLED));
      List<EventRow> events = store.events(parcel.id());
      assertThat(events).filteredOn(e -> e.kind() == EventKind.COMPLETED).hasSize(1);
      assertThat(events).filteredOn(e -> e.kind() == EventKind.CALLBACK_DUPLICATE).hasSize(5);
      assertThat(events)
          .filteredOn(e -> e.kind() == EventKind.DEADLINE_EXTENDED)
          .singleElement()
          .satisfies(e -> assertThat(e.message()).contains("heartbeat callback trackerAlive"));
      // booked with a 10 min deadline, moved to the heartbeat's arrival + 2 h
      assertThat(parcel.deadline())
          .isAfter(parcel.submitTime().plus(Duration.ofHours(2)).minusSeconds(1));
      assertThat(
              store.invocations(InvocationQuery.all(100)).stream()
                  .filter(i -> i.service().equals("Acme Mortgages")))
          .hasSize(4)
          .allSatisfy(i -> assertThat(i.status()).isEqualTo(InvocationStatus.COMPLETED));
    }
  }
}
