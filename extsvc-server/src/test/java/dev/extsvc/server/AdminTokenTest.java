package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static dev.extsvc.server.CallbackLoopTest.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin token: off loopback the API and the console need it; the callback endpoint never does.
 */
class AdminTokenTest {
  static final String TOKEN = "t0ken-for-tests-only";

  @TempDir Path dir;
  Fixture f;
  String base;

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  void start(Consumer<ExtsvcServer.Builder> server) {
    f = new Fixture(dir, b -> {}, server).withAcme();
    base = "http://127.0.0.1:" + f.server.port();
  }

  HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return f.http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  InvocationResult submit() {
    RequestParts input =
        RequestParts.fromJson(Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Alice\"}}}"));
    return f.services.invoke(
        Fixture.ACME,
        "SubmitApplication",
        input,
        new RecordingHandler("Alice", APPROVED),
        Duration.ofHours(1));
  }

  @Test
  void onLoopbackWithoutATokenEverythingIsOpen() {
    start(s -> {});

    assertThat(get("/api/health").statusCode()).isEqualTo(200);
    assertThat(get("/console").statusCode()).isEqualTo(200);
  }

  @Test
  void offLoopbackWithoutATokenTheApiAndConsoleAreClosedButCallbacksAreTaken() {
    start(s -> s.host("0.0.0.0"));
    InvocationResult r = submit();

    // liveness stays open for probes: whether the server and store answer, which node, no data
    HttpResponse<String> health = get("/api/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body())
        .startsWith("{\"status\":\"UP\",\"store\":\"reachable\",\"node\":")
        .doesNotContain("invocation");
    assertThat(get("/api/invocations", "Authorization", "Bearer anything").statusCode())
        .isEqualTo(403);
    assertThat(get("/console").statusCode()).isEqualTo(403);
    assertThat(f.postJson(r.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(200);
  }

  @Test
  void offLoopbackTheApiTakesTheRightBearerTokenAndRefusesOthers() {
    start(s -> s.host("0.0.0.0").adminToken(TOKEN));

    assertThat(get("/api/health").statusCode()).isEqualTo(200);
    HttpResponse<String> none = get("/api/invocations");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(get("/api/invocations", "Authorization", "Bearer " + TOKEN + "x").statusCode())
        .isEqualTo(401);
    assertThat(get("/api/invocations", "Authorization", "Basic " + TOKEN).statusCode())
        .isEqualTo(401);
    assertThat(get("/api/invocations", "Authorization", "Bearer " + TOKEN).statusCode())
        .isEqualTo(200);
    assertThat(get("/api/overview", "Authorization", "Bearer " + TOKEN).statusCode())
        .isEqualTo(200);
    HttpResponse<String> retry =
        send(
            HttpRequest.newBuilder(
                    URI.create(base + "/api/callbacks/" + java.util.UUID.randomUUID() + "/replay"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(retry.statusCode()).isEqualTo(401);
  }

  @Test
  void theCallbackEndpointNeverAsksForTheToken() {
    start(s -> s.host("0.0.0.0").adminToken(TOKEN));
    InvocationResult r = submit();

    assertThat(f.postJson(r.callbackUrls().get(APPROVED), APPROVED_BODY).statusCode())
        .isEqualTo(200);
  }

  @Test
  void theConsoleTakesTheTokenOnceInTheAddressThenACookieThatIsNotTheToken() {
    start(s -> s.adminToken(TOKEN));

    HttpResponse<String> login = get("/console/invocations?status=PENDING");
    assertThat(login.statusCode()).isEqualTo(401);
    assertThat(login.body()).contains("Admin token").doesNotContain(TOKEN);
    assertThat(get("/console?token=wrong").statusCode()).isEqualTo(401);

    HttpResponse<String> once = get("/console/invocations?status=PENDING&token=" + TOKEN);
    assertThat(once.statusCode()).isEqualTo(303);
    assertThat(once.headers().firstValue("Location"))
        .contains("/console/invocations?status=PENDING");
    String setCookie = once.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie)
        .contains("HttpOnly")
        .containsIgnoringCase("SameSite=Strict")
        .doesNotContain(TOKEN);
    String cookie = setCookie.split(";", 2)[0];

    assertThat(get("/console", "Cookie", cookie).statusCode()).isEqualTo(200);
    assertThat(get("/console", "Cookie", "extsvc_console=forged").statusCode()).isEqualTo(401);
    assertThat(get("/console", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void theLoginFormSetsTheCookieOnlyForTheRightToken() {
    start(s -> s.adminToken(TOKEN));

    HttpResponse<String> wrong = form("/console/login", "token=nope&next=%2Fconsole%2Fservices");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

    HttpResponse<String> right =
        form("/console/login", "token=" + TOKEN + "&next=%2F%2Fevil.example");
    assertThat(right.statusCode()).isEqualTo(303);
    assertThat(right.headers().firstValue("Location")).contains("/console");
    assertThat(right.headers().firstValue("Set-Cookie")).isPresent();
  }

  @Test
  void theTokenNeverReachesTheLog() throws IOException {
    start(s -> s.host("0.0.0.0").adminToken(TOKEN));
    get("/api/invocations", "Authorization", "Bearer " + TOKEN);
    get("/console?token=" + TOKEN);
    get("/api/invocations", "Authorization", "Bearer wrong");

    Path log = Path.of("target/test.log");
    if (Files.exists(log)) {
      assertThat(Files.readString(log)).doesNotContain(TOKEN);
    }
  }

  HttpResponse<String> form(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }
}
