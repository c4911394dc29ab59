package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API: register, list, invoke without a handler, read callbacks and the debug log, cancel.
 */
class RestApiTest {
  @TempDir Path dir;
  Fixture f;
  String api;

  @BeforeEach
  void start() {
    f = new Fixture(dir);
    api = f.server.localUrl() + "/api";
  }

  @AfterEach
  void stop() {
    f.close();
  }

  JsonNode json(HttpResponse<String> r) {
    return Json.readTrusted(r.body());
  }

  String invoke() {
    HttpResponse<String> r =
        f.postJson(
            api + "/invocations",
            """
        {"service":"Acme Mortgages","operation":"SubmitApplication",
         "request":{"body":{"applicant":{"name":"Gina"}}}, "callbackTimeout":"PT2H"}""");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).get("invocationId").asText();
  }

  @Test
  void registersAServiceAndListsItWithItsCallbackKeys() {
    HttpResponse<String> r = f.postJson(api + "/services", Fixture.acmeSpec());

    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode services = json(f.send("GET", api + "/services", null, null));
    assertThat(services).hasSize(1);
    JsonNode op = services.get(0).get("operations").get(0);
    assertThat(op.get("id").asText()).isEqualTo("SubmitApplication");
    assertThat(op.get("async").asBoolean()).isTrue();
    assertThat(op.get("callbacks").findValuesAsText("key"))
        .containsExactly(
            "applicationOutcomeApproved", "applicationOutcomeRejected", "applicationError");
    assertThat(op.get("callbacks").get(2).get("writtenTo").asText())
        .contains("callbackUrlForErrorCases");
    assertThat(f.send("GET", api + "/services/Acme%20Mortgages", null, null).statusCode())
        .isEqualTo(200);
    assertThat(f.send("GET", api + "/services/nope", null, null).statusCode()).isEqualTo(404);
  }

  @Test
  void aBadSpecIsRefusedWithItsReport() {
    HttpResponse<String> r = f.postJson(api + "/services", "{\"openapi\":\"3.0.0\",\n\"info\": 5}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("registered").asBoolean()).isFalse();
    assertThat(json(r).get("diagnostics")).isNotEmpty();
  }

  @Test
  void invokesWithoutAHandlerAndShowsTheRecordedCallbackAndTheDebugLog() {
    f.postJson(api + "/services", Fixture.acmeSpec());
    String id = invoke();
    String url =
        Json.readTrusted(f.bank.received().get(0).body())
            .at("/callbackUrlForOutcomes/approved")
            .asText();

    assertThat(f.postJson(url, CallbackLoopTest.APPROVED_BODY).statusCode()).isEqualTo(200);

    JsonNode inv = json(f.send("GET", api + "/invocations/" + id, null, null));
    assertThat(inv.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(inv.get("syncAnswer").get("status").asInt()).isEqualTo(201);
    assertThat(inv.get("callbacks").get(0).get("body").get("approvedAmount").asInt())
        .isEqualTo(350000);
    assertThat(inv.get("events").findValuesAsText("kind"))
        .contains("SUBMITTED", "CALLOUT", "COMPLETED");
    assertThat(inv.toString()).doesNotContain(url.substring(url.lastIndexOf('/') + 1));
  }

  @Test
  void listsInvocationsFilteredByStatusAndService() {
    f.postJson(api + "/services", Fixture.acmeSpec());
    String first = invoke();
    String second = invoke();
    f.postJson(api + "/invocations/" + first + "/cancel", "{\"reason\":\"customer withdrew\"}");

    JsonNode pending = json(f.send("GET", api + "/invocations?status=PENDING", null, null));
    JsonNode cancelled =
        json(
            f.send(
                "GET", api + "/invocations?status=cancelled&service=Acme%20Mortgages", null, null));
    JsonNode none = json(f.send("GET", api + "/invocations?service=Other", null, null));

    assertThat(pending.findValuesAsText("id")).containsExactly(second);
    assertThat(cancelled.findValuesAsText("id")).containsExactly(first);
    assertThat(cancelled.get(0).get("reason").asText()).isEqualTo("customer withdrew");
    assertThat(none).isEmpty();
    assertThat(f.send("GET", api + "/invocations?status=LOST", null, null).statusCode())
        .isEqualTo(400);
  }

  @Test
  void cancelsAPendingInvocationOnceAndThenRefuses() {
    f.postJson(api + "/services", Fixture.acmeSpec());
    String id = invoke();

    HttpResponse<String> first = f.postJson(api + "/invocations/" + id + "/cancel", "");
    HttpResponse<String> again = f.postJson(api + "/invocations/" + id + "/cancel", "");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(json(first).get("status").asText()).isEqualTo("CANCELLED");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(
            f.postJson(api + "/invocations/" + java.util.UUID.randomUUID() + "/cancel", "")
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void badApiRequestsGetClearErrors() {
    assertThat(f.postJson(api + "/invocations", "{not json").statusCode()).isEqualTo(400);
    HttpResponse<String> unknown =
        f.postJson(api + "/invocations", "{\"service\":\"Nope\",\"operation\":\"x\"}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown).get("message").asText()).contains("unknown service 'Nope'");
    assertThat(f.send("GET", api + "/invocations/not-a-uuid", null, null).statusCode())
        .isEqualTo(400);
  }

  @Test
  void aRequestBreakingTheOperationsSchemaIsRefusedWith400AndItsProblemsAndNothingIsSent() {
    f.postJson(api + "/services", Fixture.acmeSpec());

    HttpResponse<String> r =
        f.postJson(
            api + "/invocations",
            """
        {"service":"Acme Mortgages","operation":"SubmitApplication",
         "request":{"body":{"applicant":{"address":7}}}}""");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).get("message").asText())
        .contains("Acme Mortgages.SubmitApplication", "nothing was sent", "\"validate\": false");
    assertThat(json(r).get("problems").findValuesAsText("pointer"))
        .containsExactlyInAnyOrder("/body/applicant", "/body/applicant/address");
    assertThat(f.bank.received()).isEmpty();
    assertThat(json(f.send("GET", api + "/invocations", null, null))).isEmpty();
  }

  @Test
  void validateFalseSendsARequestTheSchemaWouldRefuse() {
    f.postJson(api + "/services", Fixture.acmeSpec());

    HttpResponse<String> r =
        f.postJson(
            api + "/invocations",
            """
        {"service":"Acme Mortgages","operation":"SubmitApplication","validate":false,
         "request":{"body":{"applicant":{"address":7}}}}""");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(f.bank.received()).hasSize(1);
    assertThat(f.bank.received().get(0).body()).contains("\"address\":7");
    assertThat(
            f.postJson(
                    api + "/invocations",
                    "{\"service\":\"Acme Mortgages\",\"operation\":\"SubmitApplication\","
                        + "\"validate\":\"no\"}")
                .statusCode())
        .isEqualTo(400);
  }
}
