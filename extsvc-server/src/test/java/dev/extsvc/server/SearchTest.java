package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.spec.RequestParts;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding an invocation by what one knows of it: {@code ?q=} on the API and the console's list. */
class SearchTest {
  @TempDir Path dir;
  Fixture f;
  String base;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f = new Fixture(dir).withAcme();
    base = "http://127.0.0.1:" + f.server.port();
  }

  @AfterEach
  void stop() {
    f.close();
    RecordingHandler.reset();
  }

  String get(String path) throws Exception {
    HttpResponse<String> r =
        f.http.send(
            HttpRequest.newBuilder(URI.create(base + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  InvocationResult submit(String applicant) {
    RequestParts input =
        RequestParts.fromJson(
            Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"" + applicant + "\"}}}"));
    return f.services.invoke(
        Fixture.ACME,
        "SubmitApplication",
        input,
        new RecordingHandler(applicant, APPROVED),
        Duration.ofHours(1));
  }

  static String q(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  void anInvocationIsFoundByTheApplicantsNameAndByTheApplicationNumberOfItsAnswer()
      throws Exception {
    InvocationResult ada = submit("Ada Lovelace");
    f.bank.answer(201, "{\"applicationNumber\":\"ACME-1004\"}");
    InvocationResult grace = submit("Grace Hopper");

    JsonNode byName = Json.readTrusted(get("/api/invocations?q=" + q("Ada Lovelace")));
    assertThat(byName).hasSize(1);
    assertThat(byName.get(0).path("id").asText()).isEqualTo(ada.invocationId().toString());
    JsonNode byNumber = Json.readTrusted(get("/api/invocations?q=" + q("ACME-1004")));
    assertThat(byNumber).hasSize(1);
    assertThat(byNumber.get(0).path("id").asText()).isEqualTo(grace.invocationId().toString());
    assertThat(Json.readTrusted(get("/api/invocations?q=" + q("Lovelace Hopper")))).isEmpty();
    assertThat(Json.readTrusted(get("/api/invocations?q=callbacks")))
        .as("the callback URLs written into the request are not searchable")
        .isEmpty();

    String page = get("/console/invocations?q=" + q("Grace"));
    assertThat(page)
        .contains(grace.invocationId().toString())
        .doesNotContain(ada.invocationId().toString())
        .contains("value=\"Grace\"");
  }
}
