package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static dev.extsvc.server.CallbackLoopTest.APPROVED_BODY;
import static dev.extsvc.server.CallbackLoopTest.ERROR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every console action over real HTTP, through the REST API and through the console's own forms and
 * pages.
 */
class ConsoleActionsTest {
  @TempDir Path dir;
  Fixture f;
  String base;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f = new Fixture(dir).withAcme();
    base = f.server.localUrl();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  InvocationResult submit(RecordingHandler handler) {
    RequestParts input =
        RequestParts.fromJson(Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Alice\"}}}"));
    return f.services.invoke(
        Fixture.ACME, "SubmitApplication", input, handler, Duration.ofHours(1));
  }

  HttpResponse<String> form(String path, String body, String origin) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return send(b.build());
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return f.http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void cancelThroughTheApiAndThroughTheConsoleForm() {
    UUID a = submit(new RecordingHandler("A", APPROVED)).invocationId();
    UUID b = submit(new RecordingHandler("B", APPROVED)).invocationId();

    HttpResponse<String> api =
        f.postJson(base + "/api/invocations/" + a + "/cancel", "{\"reason\":\"duplicate\"}");
    assertThat(api.statusCode()).isEqualTo(200);
    assertThat(Json.readTrusted(api.body()).get("status").asText()).isEqualTo("CANCELLED");
    assertThat(f.postJson(base + "/api/invocations/" + a + "/cancel", "").statusCode())
        .isEqualTo(409);

    HttpResponse<String> console =
        form("/console/invocations/" + b + "/cancel", "reason=" + enc("customer called"), base);
    assertThat(console.statusCode()).isEqualTo(303);
    assertThat(console.headers().firstValue("Location"))
        .contains("/console/invocations/" + b + "?done=cancelled");
    assertThat(f.services.invocation(b).orElseThrow().reason()).isEqualTo("customer called");
    assertThat(get(console.headers().firstValue("Location").orElseThrow()).body())
        .contains("Invocation cancelled.")
        .contains("customer called");
  }

  @Test
  void aFormPostedFromAnotherSiteIsRefused() {
    UUID id = submit(new RecordingHandler("A", APPROVED)).invocationId();

    HttpResponse<String> r =
        form("/console/invocations/" + id + "/cancel", "", "https://evil.example");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(f.services.invocation(id).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
  }

  @Test
  void replayRunsAFailedCallbacksHandlerAgainThroughTheApiAndTheConsole() {
    InvocationResult first = submit(new RecordingHandler("A", APPROVED));
    InvocationResult second = submit(new RecordingHandler("B", APPROVED));
    RecordingHandler.FAILURES_LEFT.set(2);
    f.postJson(first.callbackUrls().get(APPROVED), APPROVED_BODY);
    f.postJson(second.callbackUrls().get(APPROVED), APPROVED_BODY);
    CallbackRow failed1 = f.services.callbacks(first.invocationId()).getFirst();
    CallbackRow failed2 = f.services.callbacks(second.invocationId()).getFirst();
    JsonNode overview = Json.readTrusted(get("/api/overview").body());
    assertThat(overview.get("failedCallbacks").findValuesAsText("id"))
        .containsExactlyInAnyOrder(failed1.id().toString(), failed2.id().toString());
    assertThat(overview.get("handlerFailures").asInt()).isEqualTo(2);

    HttpResponse<String> api = f.postJson(base + "/api/callbacks/" + failed1.id() + "/replay", "");
    assertThat(api.statusCode()).isEqualTo(200);
    JsonNode out = Json.readTrusted(api.body());
    assertThat(out.at("/answerCode").asInt()).isEqualTo(200);
    assertThat(out.at("/callback/outcome").asText()).isEqualTo("HANDLED");
    assertThat(f.postJson(base + "/api/callbacks/" + failed1.id() + "/replay", "").statusCode())
        .isEqualTo(409);
    assertThat(
            f.postJson(base + "/api/callbacks/" + UUID.randomUUID() + "/replay", "").statusCode())
        .isEqualTo(404);

    HttpResponse<String> console = form("/console/callbacks/" + failed2.id() + "/retry", "", base);
    assertThat(console.statusCode()).isEqualTo(303);
    assertThat(console.headers().firstValue("Location").orElseThrow())
        .startsWith("/console/invocations/" + second.invocationId() + "?done=retry-200");
    assertThat(f.services.store().callback(failed2.id()).orElseThrow().outcome())
        .isEqualTo(CallbackOutcome.HANDLED);
    assertThat(RecordingHandler.SEEN).hasSize(2);
  }

  @Test
  void registerAnUploadedSpecThroughTheConsoleFormAndShowItsReport() {
    f.services.register(Fixture.acmeSpec(), null);
    HttpResponse<String> ok =
        form(
            "/console/services",
            "name=" + enc("Acme Two") + "&document=" + enc(Fixture.acmeSpec()),
            base);
    assertThat(ok.statusCode()).isEqualTo(201);
    assertThat(ok.body()).contains("Registered Acme Two");
    assertThat(f.services.service("Acme Two")).isPresent();

    HttpResponse<String> bad =
        form("/console/services", "document=" + enc("{\"openapi\":\"3.0.3\",\"info\":"), base);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("Not registered").contains("ERROR");
    assertThat(form("/console/services", "document=", base).statusCode()).isEqualTo(400);

    HttpResponse<String> page = get("/console/services");
    assertThat(page.body())
        .contains("Acme Two")
        .contains("applicationOutcomeApproved")
        .contains("query parameter callbackUrlForErrorCases")
        .contains("Registration report");
  }

  @Test
  void theListFiltersByStatusServiceAndOperationAndPagesByKeyset() {
    List<UUID> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 55; i++) {
      ids.add(submit(new RecordingHandler("A" + i, APPROVED)).invocationId());
    }
    f.services.cancel(ids.get(3), "test");

    JsonNode cancelled = Json.readTrusted(get("/api/invocations?status=CANCELLED").body());
    assertThat(cancelled.findValuesAsText("id")).containsExactly(ids.get(3).toString());
    assertThat(Json.readTrusted(get("/api/invocations?service=nope").body())).isEmpty();
    assertThat(Json.readTrusted(get("/api/invocations?operation=SubmitApplication&limit=5").body()))
        .hasSize(5);
    assertThat(get("/api/invocations?status=LOST").statusCode()).isEqualTo(400);

    String filtered = get("/console/invocations?status=CANCELLED").body();
    assertThat(filtered)
        .contains("data-status=\"CANCELLED\"")
        .doesNotContain("data-status=\"PENDING\"");
    // Newest first by id (UUIDv7; the test clock stands still, so the order within a millisecond is
    // the id's).
    List<String> newestFirst =
        ids.stream().map(UUID::toString).sorted(java.util.Comparator.reverseOrder()).toList();
    String first = get("/console/invocations").body();
    assertThat(first.split("data-status=", -1)).hasSize(51);
    // the Next link's keyset token is the place after the page's last row
    String next = ConsoleListTest.link(first, "next");
    assertThat(dev.extsvc.runtime.store.InvocationCursor.parse(next.replaceAll(".*page=", "")).id())
        .hasToString(newestFirst.get(49));
    String older = get(next).body();
    assertThat(older.split("data-status=", -1)).hasSize(6);
    assertThat(older)
        .contains(newestFirst.get(54))
        .doesNotContain("title=\"" + newestFirst.get(49) + "\"");

    HttpResponse<String> search = get("/console/invocations?id=" + ids.get(7));
    assertThat(search.statusCode()).isEqualTo(303);
    assertThat(get("/console/invocations?id=" + enc("<b>nope</b>")).body())
        .contains("No invocation with id &lt;b&gt;nope&lt;/b&gt;");
  }

  @Test
  void strangersMarkupIsEscapedAndNoLiveTokenIsShown() {
    InvocationResult r =
        f.services.invoke(
            Fixture.ACME,
            "SubmitApplication",
            RequestParts.fromJson(
                Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"<i>x</i>\"}}}")),
            null,
            Duration.ofHours(1));
    String url = r.callbackUrls().get(ERROR);
    send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .header("X-Probe", "<script>alert(1)</script>")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"errorMessage\":\"<img src=x onerror=alert(1)>\"}"))
            .build());

    String page = get("/console/invocations/" + r.invocationId()).body();

    assertThat(page)
        .doesNotContain("<img src=x")
        .doesNotContain("<script>alert")
        .doesNotContain("<i>x</i>");
    assertThat(page)
        .contains("&lt;img src=x onerror=alert(1)&gt;")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    String token = url.substring(url.indexOf("/callbacks/") + "/callbacks/".length());
    assertThat(page).doesNotContain(token).contains("{token sha256:");
    assertThat(get("/console").body()).doesNotContain(token);
  }

  @Test
  void pagesAnswerWithHeadersThatKeepScriptsOut() {
    HttpResponse<String> r = get("/console");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'");
    assertThat(get("/console/static/htmx.min.js").statusCode()).isEqualTo(200);
    assertThat(get("/console/static/console.css").statusCode()).isEqualTo(200);
    assertThat(get("/console/static/..%2Fpom.xml").statusCode()).isEqualTo(404);
    assertThat(get("/console/invocations/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
  }
}
