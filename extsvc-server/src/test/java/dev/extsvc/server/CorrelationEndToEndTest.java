package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.CallbackSignature;
import dev.extsvc.runtime.CallbackSignature.Scheme;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.Dialect;
import dev.extsvc.store.jdbc.JdbcStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Correlation by business key end to end, over HTTP through the bundled server, on SQLite and on
 * PostgreSQL: a {@code $response.body} key and a static-URL key awaited at the shared address
 * {@code /callbacks/services/{service}} with each signature preset and the generic HMAC; a forged
 * signature 401; a callback before the synchronous answer held and delivered; an unmatched one dead
 * after its hold (test clock).
 */
class CorrelationEndToEndTest {
  static final String SPEC = spec();
  static final String RAW_SECRET = "shared-secret-of-the-provider";
  static final String STANDARD_SECRET =
      "whsec_"
          + Base64.getEncoder()
              .encodeToString("standard-webhooks-key".getBytes(StandardCharsets.UTF_8));
  static final CallbackSignature.Hmac HMAC =
      new CallbackSignature.Hmac(
          "X-Signature",
          "sha256=",
          CallbackSignature.Encoding.HEX,
          "SHA256",
          CallbackSignature.Signed.TIMESTAMP_DOT_BODY,
          "X-Timestamp");

  static EmbeddedPostgres postgres;
  static final Duration HOLD_ON_POSTGRES = Duration.ofSeconds(2);
  @TempDir java.nio.file.Path dir;

  /** The provider: answers the dial calls (the fixture's own bank serves its own services). */
  final TestBank provider = new TestBank();

  @org.junit.jupiter.api.AfterEach
  void stopProvider() {
    provider.close();
  }

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  static String spec() {
    return """
        openapi: 3.1.0
        info: { title: Calls, version: "1" }
        paths:
          /calls:
            post:
              operationId: dial
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        ref: { type: string }
              responses:
                "200": { description: dialled }
              callbacks:
                answered:
                  x-extsvc-correlation:
                    invocation: $response.body#/call_id
                    callback: $request.body#/data/call_id
                  "{$response.body#/status_url}":
                    post:
                      requestBody:
                        required: true
                        content:
                          application/json:
                            schema:
                              type: object
                              required: [event, data]
                              properties:
                                event: { const: call.answered }
                                data: { type: object }
                      responses: { "200": { description: ok } }
                hangup:
                  "https://provider.example/one-webhook-address":
                    post:
                      requestBody:
                        required: true
                        content:
                          application/json:
                            schema:
                              type: object
                              required: [event]
                              properties:
                                event: { const: call.hangup }
                      responses: { "200": { description: ok } }
        """;
  }

  static final List<Scheme> SCHEMES = List.of(Scheme.values());

  static String service(Scheme s) {
    return "Calls-" + s.configName();
  }

  static CallbackSignature signature(Scheme s) {
    return switch (s) {
      case STANDARD_WEBHOOKS -> CallbackSignature.preset(s, Secret.of(STANDARD_SECRET));
      case HMAC -> CallbackSignature.hmac(HMAC, Secret.of(RAW_SECRET));
      default -> CallbackSignature.preset(s, Secret.of(RAW_SECRET));
    };
  }

  Fixture fixture(String database) {
    JdbcStore store =
        database.equals("postgresql")
            ? JdbcStore.create(postgres.getPostgresDatabase(), Dialect.POSTGRESQL)
            : JdbcStore.sqlite(dir.resolve("extsvc.db"));
    return new Fixture(
        dir,
        store,
        b -> {
          for (Scheme s : SCHEMES) {
            b.endpoint(service(s), provider.url())
                .callbackSignature(service(s), signature(s))
                .correlate(
                    service(s), "dial", "hangup", "$request.body#/ref", "$request.header.X-Ref");
          }
          // PostgreSQL's time is the database's (no test clock there): a short real hold
          b.earlyCallbackHold(
              database.equals("postgresql") ? HOLD_ON_POSTGRES : Duration.ofMinutes(10));
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void eachPresetAwaitsAResponseBodyKeyAndAStaticUrlKeyAtTheSharedAddress(String database) {
    try (Fixture f = fixture(database)) {
      register(f);
      for (Scheme s : SCHEMES) {
        String run = database + "-" + s.configName();
        provider.answer(
            200, "{\"call_id\":\"c-" + run + "\",\"status_url\":\"https://p.example\"}");
        UUID answered = dial(f, s, "R-a-" + run);
        UUID hungUp = dial(f, s, "R-h-" + run);

        String body = "{\"event\":\"call.answered\",\"data\":{\"call_id\":\"c-" + run + "\"}}";
        HttpResponse<String> first = post(f, s, body, Map.of(), false);
        assertThat(first.statusCode()).as(s + " answered").isEqualTo(200);
        assertThat(status(f, answered)).isEqualTo(InvocationStatus.COMPLETED);

        HttpResponse<String> second =
            s == Scheme.TWILIO
                ? post(f, s, "event=call.hangup", Map.of("X-Ref", "R-h-" + run), true)
                : post(f, s, "{\"event\":\"call.hangup\"}", Map.of("X-Ref", "R-h-" + run), false);
        assertThat(second.statusCode()).as(s + " hangup").isEqualTo(200);
        assertThat(status(f, hungUp)).isEqualTo(InvocationStatus.COMPLETED);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aForgedSignatureIsRefused401AndAnEarlyCallbackIsHeldThenDeliveredOrDead(String database) {
    try (Fixture f = fixture(database)) {
      register(f);
      Scheme s = Scheme.STRIPE;
      provider.answer(200, "{\"call_id\":\"c-forged\"}");
      UUID id = dial(f, s, "R-forged");
      String body = "{\"event\":\"call.answered\",\"data\":{\"call_id\":\"c-forged\"}}";
      Map<String, String> forged = new LinkedHashMap<>(headers(f, s, body, false));
      forged.put("Stripe-Signature", forgeFirstDigit(forged.get("Stripe-Signature")));
      HttpResponse<String> refused = send(f, s, body, forged, false);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.body()).isEqualTo("{\"message\":\"Invalid signature\"}");
      assertThat(status(f, id)).isEqualTo(InvocationStatus.PENDING);

      // a callback that beats the synchronous answer carrying its id
      String early = "{\"event\":\"call.answered\",\"data\":{\"call_id\":\"c-early\"}}";
      List<Integer> during = new CopyOnWriteArrayList<>();
      provider.beforeAnswer(r -> during.add(post(f, s, early, Map.of(), false).statusCode()));
      provider.answer(200, "{\"call_id\":\"c-early\"}");
      UUID beaten = dial(f, s, "R-early");
      provider.beforeAnswer(r -> {});
      assertThat(during).containsExactly(202);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> status(f, beaten) == InvocationStatus.COMPLETED);

      // one no invocation ever holds: dead after its hold, listed for replay
      String orphan = "{\"event\":\"call.answered\",\"data\":{\"call_id\":\"c-nobody\"}}";
      assertThat(post(f, s, orphan, Map.of(), false).statusCode()).isEqualTo(202);
      if (database.equals("postgresql")) {
        await()
            .pollDelay(HOLD_ON_POSTGRES)
            .atMost(Duration.ofSeconds(20))
            .until(() -> f.services.expireEarlyCallbacks() == 1);
      } else {
        assertThat(f.services.expireEarlyCallbacks()).isZero();
        f.clock.advance(Duration.ofMinutes(10));
        assertThat(f.services.expireEarlyCallbacks()).isEqualTo(1);
      }
      List<EarlyCallbackRow> dead = f.services.earlyCallbacks(10);
      assertThat(dead).singleElement().satisfies(e -> assertThat(e.dead()).isTrue());
    }
  }

  /**
   * Changes the signature's first hex digit (always to another one: "v1=0" can be the real one).
   */
  static String forgeFirstDigit(String header) {
    int at = header.indexOf("v1=") + 3;
    char forged = header.charAt(at) == '0' ? '1' : '0';
    return header.substring(0, at) + forged + header.substring(at + 1);
  }

  static void register(Fixture f) {
    for (Scheme s : SCHEMES) {
      Registration r = f.services.register(SPEC, service(s));
      assertThat(r.ok()).as(r.report().toString()).isTrue();
    }
    // the services call the fixture's bank: its endpoint is configured per service name
  }

  static UUID dial(Fixture f, Scheme s, String ref) {
    return f.services
        .invoke(
            service(s),
            "dial",
            RequestParts.fromJson(
                dev.extsvc.server.Json.readTrusted("{\"body\":{\"ref\":\"" + ref + "\"}}")),
            null,
            null)
        .invocationId();
  }

  static InvocationStatus status(Fixture f, UUID id) {
    return f.services.invocation(id).orElseThrow().status();
  }

  static String url(Fixture f, Scheme s) {
    return "http://127.0.0.1:" + f.server.port() + "/callbacks/services/" + service(s);
  }

  static HttpResponse<String> post(
      Fixture f, Scheme s, String body, Map<String, String> extra, boolean form) {
    Map<String, String> h = new LinkedHashMap<>(headers(f, s, body, form));
    h.putAll(extra);
    return send(f, s, body, h, form);
  }

  static HttpResponse<String> send(
      Fixture f, Scheme s, String body, Map<String, String> headers, boolean form) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(f, s)))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", form ? "application/x-www-form-urlencoded" : "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    try {
      return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The headers a provider using this scheme sends, signing as its documentation says. */
  static Map<String, String> headers(Fixture f, Scheme s, String body, boolean form) {
    // the runtime's clock: the test clock on SQLite, the database's on PostgreSQL
    long t = f.services.clock().instant().getEpochSecond();
    byte[] raw = RAW_SECRET.getBytes(StandardCharsets.UTF_8);
    Map<String, String> h = new LinkedHashMap<>();
    switch (s) {
      case STANDARD_WEBHOOKS -> {
        byte[] key = Base64.getDecoder().decode(STANDARD_SECRET.substring(6));
        String id = "msg_" + UUID.randomUUID();
        h.put("webhook-id", id);
        h.put("webhook-timestamp", "" + t);
        h.put("webhook-signature", "v1," + b64(mac("HmacSHA256", key, id + "." + t + "." + body)));
      }
      case GITHUB -> h.put("X-Hub-Signature-256", "sha256=" + hex(mac("HmacSHA256", raw, body)));
      case STRIPE ->
          h.put(
              "Stripe-Signature", "t=" + t + ",v1=" + hex(mac("HmacSHA256", raw, t + "." + body)));
      case SLACK -> {
        h.put("X-Slack-Request-Timestamp", "" + t);
        h.put("X-Slack-Signature", "v0=" + hex(mac("HmacSHA256", raw, "v0:" + t + ":" + body)));
      }
      case SHOPIFY -> h.put("X-Shopify-Hmac-Sha256", b64(mac("HmacSHA256", raw, body)));
      case TWILIO -> {
        StringBuilder signed = new StringBuilder(url(f, s));
        if (form) {
          List<String> pairs = new ArrayList<>(List.of(body.split("&")));
          pairs.sort(null);
          pairs.forEach(p -> signed.append(p.replace("=", "")));
        }
        h.put("X-Twilio-Signature", b64(mac("HmacSHA1", raw, signed.toString())));
      }
      case HMAC -> {
        h.put("X-Timestamp", "" + t);
        h.put("X-Signature", "sha256=" + hex(mac("HmacSHA256", raw, t + "." + body)));
      }
    }
    return h;
  }

  static byte[] mac(String algorithm, byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
