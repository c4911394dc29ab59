package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static dev.extsvc.server.CallbackLoopTest.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime whose callback path is not the default: the bundled server receives its callbacks where
 * it points.
 */
class CustomCallbackPathTest {
  static final String PATH = "/hooks/extsvc";
  static final ObjectMapper JSON =
      new ObjectMapper(); // not the runtime's internal one: it is leaving the API

  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f = new Fixture(dir, b -> b.callbackPath(PATH)).withAcme();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  InvocationResult submit() {
    RequestParts input =
        new RequestParts()
            .body(
                JSON.createObjectNode()
                    .set("applicant", JSON.createObjectNode().put("name", "Alice")));
    return f.services.invoke(
        Fixture.ACME,
        "SubmitApplication",
        input,
        new RecordingHandler("Alice", APPROVED),
        Duration.ofHours(1));
  }

  static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String token(String url) {
    return url.substring(url.lastIndexOf('/') + 1);
  }

  @Test
  void theCalloutCarriesCallbackUrlsUnderTheCustomPath() {
    InvocationResult result = submit();

    String approved = result.callbackUrls().get(APPROVED);
    assertThat(approved).matches("http://127\\.0\\.0\\.1:\\d+/hooks/extsvc/[A-Za-z0-9_-]{43}");
    assertThat(f.bank.received().get(0).body()).contains(approved).doesNotContain("/callbacks/");
  }

  @Test
  void aCallbackUnderTheCustomPathCompletesTheInvocation() {
    InvocationResult result = submit();

    HttpResponse<String> answer = f.postJson(result.callbackUrls().get(APPROVED), APPROVED_BODY);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(RecordingHandler.SEEN)
        .singleElement()
        .satisfies(s -> assertThat(s.key()).isEqualTo(APPROVED));
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void theDefaultPathNoLongerReachesTheReceiver() {
    InvocationResult result = submit();
    String token = token(result.callbackUrls().get(APPROVED));

    HttpResponse<String> answer =
        f.postJson(f.server.localUrl() + "/callbacks/" + token, APPROVED_BODY);

    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(RecordingHandler.SEEN).isEmpty();
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void theConsoleMasksALiveTokenUnderTheCustomPath() {
    // the bank echoes the callback URL in its synchronous answer, which the console shows
    f.bank.beforeAnswer(
        r ->
            f.bank.answer(
                201,
                "{\"applicationNumber\":\"A-1001\",\"echo\":\""
                    + readTree(r.body()).at("/callbackUrlForOutcomes/approved").asText()
                    + "\"}"));
    InvocationResult result = submit();
    String token = token(result.callbackUrls().get(APPROVED));
    assertThat(f.services.invocation(result.invocationId()).orElseThrow().syncBody())
        .contains(token);

    HttpResponse<String> page =
        f.send(
            "GET",
            f.server.localUrl() + "/console/invocations/" + result.invocationId(),
            null,
            null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).doesNotContain(token).contains(PATH + "/{token hidden}");
  }
}
