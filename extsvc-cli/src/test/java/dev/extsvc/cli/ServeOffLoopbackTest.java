package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.spec.Registrar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `extsvc serve` beyond loopback: refused without an admin token or a public URL (one line, exit 2,
 * nothing opened); with them the API and the console take the token, health stays open, and
 * callback URLs are built on the public URL.
 */
class ServeOffLoopbackTest {
  static final String TOKEN = "an-admin-token-for-tests-0123456789";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Path tokenFile() throws Exception {
    Path p = dir.resolve("admin-token");
    Files.writeString(p, TOKEN + "\n");
    return p;
  }

  @Test
  void beyondLoopbackWithoutAnAdminTokenServeRefusesToStartInOneLine() {
    CliTest.Run r = CliTest.run("serve", "--host", "0.0.0.0", "--data", dir.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err())
        .contains("serving on 0.0.0.0 (beyond loopback) needs an admin token")
        .contains("EXTSVC_ADMIN_TOKEN")
        .contains("--admin-token");
    assertThat(dir.resolve("extsvc.db")).doesNotExist();
  }

  @Test
  void beyondLoopbackWithATokenButNoPublicUrlServeRefusesToStart() throws Exception {
    CliTest.Run r =
        CliTest.run(
            "serve",
            "--host",
            "0.0.0.0",
            "--admin-token",
            "file:" + tokenFile(),
            "--data",
            dir.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("needs --public-url (or server.publicUrl)");
    assertThat(r.err()).doesNotContain(TOKEN);
    assertThat(dir.resolve("extsvc.db")).doesNotExist();
  }

  @Test
  void aWildcardPublicUrlAShortTokenAndATokenGivenAsItsValueAreRefused() throws Exception {
    CliTest.Run wildcard =
        CliTest.run("serve", "--public-url", "http://0.0.0.0:8080", "--data", dir.toString());
    Path shortToken = dir.resolve("short");
    Files.writeString(shortToken, "abc");
    CliTest.Run tooShort =
        CliTest.run("serve", "--admin-token", "file:" + shortToken, "--data", dir.toString());
    CliTest.Run value = CliTest.run("serve", "--admin-token", TOKEN, "--data", dir.toString());

    assertThat(wildcard.code()).isEqualTo(2);
    assertThat(wildcard.err()).contains("names no host senders can reach");
    assertThat(tooShort.code()).isEqualTo(2);
    assertThat(tooShort.err()).contains("at least 16 characters");
    assertThat(value.code()).isEqualTo(2);
    assertThat(value.err()).contains("--admin-token takes env:VARIABLE or file:/path");
    assertThat(value.err()).doesNotContain(TOKEN);
  }

  @Test
  void withATokenTheApiAndConsoleLoginTakeItHealthIsOpenAndCallbackUrlsUseThePublicUrl()
      throws Exception {
    String spec = Files.readString(Path.of("../examples/acme-mortgages.json"));
    int port = Ports.free();
    try (MockService bank =
            MockService.builder(Registrar.defaults().register(spec, null).service())
                .keyRule(KeyRule.fixed("applicationOutcomeRejected"))
                .callbackDelay(Duration.ofHours(1))
                .build()
                .start();
        Background serve =
            Background.start(
                "serve",
                "--port",
                String.valueOf(port),
                "--data",
                dir.toString(),
                "--spec",
                "../examples/acme-mortgages.json",
                "--endpoint",
                "Acme Mortgages=" + bank.baseUrl(),
                "--admin-token",
                "file:" + tokenFile(),
                "--public-url",
                "https://extsvc.example.com:8443")) {
      serve.awaitOut("extsvc serving on");
      String base = "http://127.0.0.1:" + port;

      assertThat(serve.out()).contains("callbacks at https://extsvc.example.com:8443/callbacks/");
      assertThat(get(base + "/api/health", null).statusCode()).isEqualTo(200);
      assertThat(get(base + "/api/services", null).statusCode()).isEqualTo(401);
      assertThat(get(base + "/api/services", "wrong-token-wrong-token").statusCode())
          .isEqualTo(401);
      assertThat(get(base + "/api/services", TOKEN).statusCode()).isEqualTo(200);

      HttpResponse<String> login =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/console/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Origin", base)
                  .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN + "&next=%2Fconsole"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).isEqualTo(303);
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
      HttpResponse<String> console =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/console"))
                  .header("Cookie", cookie)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(console.statusCode()).isEqualTo(200);

      ApiClient api = new ApiClient(base, TOKEN);
      ApiClient.Answer invoked =
          api.post(
              "/api/invocations",
              "{\"service\":\"Acme Mortgages\",\"operation\":\"SubmitApplication\","
                  + "\"request\":{\"body\":{\"applicant\":{\"name\":\"Ines\"}}}}");
      assertThat(invoked.status()).as(invoked.body()).isEqualTo(200);
      String id = invoked.json().get("invocationId").asText();
      // the stored copy of the request shows the callback URLs written into it (tokens masked)
      ApiClient.Answer stored = api.get("/api/invocations/" + id);
      assertThat(stored.json().get("request").toString())
          .contains("https://extsvc.example.com:8443/callbacks/")
          .doesNotContain("0.0.0.0")
          .doesNotContain("127.0.0.1"); // the listen address; the mock's own URL shows in events
      assertThat(new ApiClient(base, null).post("/api/invocations", "{}").status()).isEqualTo(401);
      assertThat(serve.out() + serve.err()).doesNotContain(TOKEN);
    }
  }

  HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
