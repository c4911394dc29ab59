package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's early callbacks view and {@code GET /api/early-callbacks}: held and dead callbacks
 * of a shared address with their reason, service, key, correlation value and arrival, never their
 * signature or body; Replay of a dead one from the console and the API (its own endpoint and the
 * callbacks' one), behind the admin token.
 */
class ConsoleEarlyCallbacksTest {
  static final String SIGNATURE = "v1,c2lnbmF0dXJlLW9mLXRoZS1zZW5kZXI=";
  static final String BODY_SECRET = "body-only-words-zq7";

  @TempDir Path dir;
  Fixture f;
  String base;

  void start(Consumer<ExtsvcServer.Builder> server) {
    f = new Fixture(dir, b -> b.earlyCallbackHold(Duration.ofMinutes(7)), server).withAcme();
    base = f.server.localUrl();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  /** One held and one dead early callback, as the shared address stores them. */
  EarlyCallbackRow[] holdTwo() {
    Instant now = f.clock.instant();
    EarlyCallbackRow held =
        f.store.holdEarlyCallback(early("v3:held-1", now, now.plus(Duration.ofMinutes(7))));
    EarlyCallbackRow dead =
        f.store.holdEarlyCallback(early("v3:<dead>-2", now.minusSeconds(600), now.minusSeconds(1)));
    assertThat(f.services.expireEarlyCallbacks()).isEqualTo(1);
    return new EarlyCallbackRow[] {held, dead};
  }

  static EarlyCallbackRow early(String value, Instant receivedAt, Instant holdUntil) {
    return new EarlyCallbackRow(
        UUID.randomUUID(),
        "Calls",
        "dial",
        "answered",
        value,
        receivedAt,
        "POST",
        "{\"content-type\":\"application/json\",\"webhook-signature\":\"" + SIGNATURE + "\"}",
        "{\"event\":\"call.answered\",\"data\":{\"call_id\":\""
            + value
            + "\",\"note\":\""
            + BODY_SECRET
            + "\"}}",
        "dedup-" + value,
        holdUntil,
        null,
        null);
  }

  HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)));
  }

  HttpResponse<String> post(String path, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Origin", base)
            .POST(HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  @Test
  void theViewShowsHeldAndDeadCallbacksWithTheirReasonButNeverTheirSignatureOrBody() {
    start(s -> {});
    EarlyCallbackRow[] rows = holdTwo();

    String overview = get("/console").body();
    assertThat(overview)
        .contains("href=\"/console/early-callbacks\"")
        .contains("1 held")
        .contains("1 dead");

    HttpResponse<String> page = get("/console/early-callbacks");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("data-early=\"" + rows[0].id() + "\" data-status=\"HELD\"")
        .contains("data-early=\"" + rows[1].id() + "\" data-status=\"DEAD\"")
        .contains("Calls")
        .contains("dial · <span class=\"mono\">answered</span>")
        .contains("v3:held-1")
        .contains("v3:&lt;dead&gt;-2")
        .doesNotContain("v3:<dead>-2")
        .contains("No invocation recorded answered's correlation value by the end of its hold")
        .contains("No invocation has recorded answered's correlation value yet; held until")
        .contains("held for 7 min")
        .contains("action=\"/console/early-callbacks/" + rows[1].id() + "/replay\"")
        .doesNotContain("/console/early-callbacks/" + rows[0].id() + "/replay")
        .doesNotContain(SIGNATURE)
        .doesNotContain(BODY_SECRET);
    assertThat(get("/console/early-callbacks?status=dead").body())
        .contains(rows[1].id().toString())
        .doesNotContain(rows[0].id().toString());
    assertThat(get("/console/early-callbacks?status=held").body())
        .contains(rows[0].id().toString())
        .doesNotContain(rows[1].id().toString());
  }

  @Test
  void theApiListsThemByStatusAndRefusesAStatusItDoesNotKnow() {
    start(s -> {});
    EarlyCallbackRow[] rows = holdTwo();

    HttpResponse<String> all = get("/api/early-callbacks");
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.body()).doesNotContain(SIGNATURE).doesNotContain(BODY_SECRET);
    JsonNode json = Json.readTrusted(all.body());
    assertThat(json.get("hold").asText()).isEqualTo("PT7M");
    assertThat(json.get("earlyCallbacks").findValuesAsText("id"))
        .containsExactly(rows[0].id().toString(), rows[1].id().toString());
    JsonNode dead = Json.readTrusted(get("/api/early-callbacks?status=dead").body());
    assertThat(dead.get("earlyCallbacks")).hasSize(1);
    JsonNode d = dead.get("earlyCallbacks").get(0);
    assertThat(d.get("status").asText()).isEqualTo("DEAD");
    assertThat(d.get("service").asText()).isEqualTo("Calls");
    assertThat(d.get("key").asText()).isEqualTo("answered");
    assertThat(d.get("value").asText()).isEqualTo("v3:<dead>-2");
    assertThat(d.get("receivedAt").asText()).isEqualTo(rows[1].receivedAt().toString());
    assertThat(d.get("deadAt").asText()).isEqualTo(f.clock.instant().toString());
    assertThat(d.get("reason").asText()).contains("dead since");
    assertThat(
            Json.readTrusted(get("/api/early-callbacks?status=HELD").body())
                .get("earlyCallbacks")
                .findValuesAsText("id"))
        .containsExactly(rows[0].id().toString());

    HttpResponse<String> bad = get("/api/early-callbacks?status=delivered");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("status must be held or dead");
    assertThat(get("/api/early-callbacks?limit=0").statusCode()).isEqualTo(400);
  }

  @Test
  void replayHoldsADeadCallbackAgainFromTheConsoleAndTheApi() {
    start(s -> {});
    EarlyCallbackRow[] rows = holdTwo();

    HttpResponse<String> console = post("/console/early-callbacks/" + rows[1].id() + "/replay");
    assertThat(console.statusCode()).isEqualTo(303);
    assertThat(console.headers().firstValue("Location"))
        .contains("/console/early-callbacks?done=replay-202");
    EarlyCallbackRow again = f.store.earlyCallback(rows[1].id()).orElseThrow();
    assertThat(again.held()).isTrue();
    assertThat(again.holdUntil()).isEqualTo(f.clock.instant().plus(Duration.ofMinutes(7)));
    assertThat(get("/console/early-callbacks?done=replay-202").body())
        .contains("Held again for 7 min.");

    f.clock.advance(Duration.ofMinutes(8));
    assertThat(f.services.expireEarlyCallbacks()).isEqualTo(2);
    HttpResponse<String> api = post("/api/early-callbacks/" + rows[0].id() + "/replay");
    assertThat(api.statusCode()).isEqualTo(200);
    JsonNode out = Json.readTrusted(api.body());
    assertThat(out.get("answerCode").asInt()).isEqualTo(202);
    assertThat(out.at("/earlyCallback/status").asText()).isEqualTo("HELD");
    assertThat(post("/api/early-callbacks/" + UUID.randomUUID() + "/replay").statusCode())
        .isEqualTo(404);
    assertThat(
            post("/console/early-callbacks/" + UUID.randomUUID() + "/replay")
                .headers()
                .firstValue("Location"))
        .contains("/console/early-callbacks?done=replay-404");
  }

  @Test
  void theCallbacksReplayEndpointReplaysAnEarlyCallbacksIdAsTheEarlyEndpointDoes() {
    start(s -> {});
    EarlyCallbackRow[] rows = holdTwo();

    HttpResponse<String> api = post("/api/callbacks/" + rows[1].id() + "/replay");

    assertThat(api.statusCode()).isEqualTo(200);
    JsonNode out = Json.readTrusted(api.body());
    assertThat(out.get("answerCode").asInt()).isEqualTo(202);
    assertThat(out.at("/earlyCallback/id").asText()).isEqualTo(rows[1].id().toString());
    assertThat(out.at("/earlyCallback/status").asText()).isEqualTo("HELD");
    assertThat(api.body()).doesNotContain(SIGNATURE).doesNotContain(BODY_SECRET);
    EarlyCallbackRow again = f.store.earlyCallback(rows[1].id()).orElseThrow();
    assertThat(again.held()).isTrue();
    assertThat(again.holdUntil()).isEqualTo(f.clock.instant().plus(Duration.ofMinutes(7)));

    HttpResponse<String> unknown = post("/api/callbacks/" + UUID.randomUUID() + "/replay");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(Json.readTrusted(unknown.body()).get("message").asText())
        .startsWith("No callback or early callback ");
    assertThat(post("/api/callbacks/not-an-id/replay").statusCode()).isEqualTo(400);
  }

  @Test
  void withAnAdminTokenTheViewTheListAndReplayNeedIt() {
    start(s -> s.adminToken(AdminTokenTest.TOKEN));
    EarlyCallbackRow[] rows = holdTwo();

    assertThat(get("/api/early-callbacks").statusCode()).isEqualTo(401);
    assertThat(post("/api/early-callbacks/" + rows[1].id() + "/replay").statusCode())
        .isEqualTo(401);
    assertThat(post("/api/callbacks/" + rows[1].id() + "/replay").statusCode()).isEqualTo(401);
    assertThat(post("/console/early-callbacks/" + rows[1].id() + "/replay").statusCode())
        .isEqualTo(401);
    assertThat(get("/console/early-callbacks").statusCode()).isEqualTo(401);
    assertThat(f.store.earlyCallback(rows[1].id()).orElseThrow().dead()).isTrue();

    HttpResponse<String> withToken =
        post(
            "/api/early-callbacks/" + rows[1].id() + "/replay",
            "Authorization",
            "Bearer " + AdminTokenTest.TOKEN);
    assertThat(withToken.statusCode()).isEqualTo(200);
    assertThat(f.store.earlyCallback(rows[1].id()).orElseThrow().held()).isTrue();
    assertThat(
            post(
                    "/api/callbacks/" + rows[0].id() + "/replay",
                    "Authorization",
                    "Bearer " + AdminTokenTest.TOKEN)
                .statusCode())
        .as("the early callbacks' endpoint, reached through the callbacks' one, with the token")
        .isEqualTo(200);
  }
}
