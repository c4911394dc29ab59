package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What keeps strangers out: Standard Webhooks signatures (401) and a limit on token guessing (429).
 */
class GuardsTest {
  static final byte[] KEY = "thirty-two bytes of signing key!".getBytes(StandardCharsets.US_ASCII);
  static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);

  RuntimeFixture f;
  InvocationResult submitted;

  @BeforeEach
  void start() {
    TestHandler.reset();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  static String sign(byte[] key, String id, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] sig =
          mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(sig);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  CallbackResponse signed(String url, String id, long timestamp, String signature, String body) {
    Callbacks request =
        Callbacks.to("POST", url)
            .json(body)
            .header("webhook-id", id)
            .header("webhook-timestamp", Long.toString(timestamp));
    if (signature != null) {
      request.header("webhook-signature", signature);
    }
    return f.services.receiver().handle(request.build());
  }

  String signedService() {
    f = new RuntimeFixture(b -> b.webhookSecrets(RuntimeFixture.ACME, SECRET)).withAcme();
    submitted = f.submit(new TestHandler("Quinn", APPROVED));
    return submitted.callbackUrls().get(APPROVED);
  }

  @Test
  void aCorrectlySignedCallbackIsHandled() {
    String url = signedService();
    long now = f.clock.instant().getEpochSecond();

    CallbackResponse answer =
        signed(url, "msg_1", now, sign(KEY, "msg_1", now, APPROVED_BODY), APPROVED_BODY);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(TestHandler.SEEN).hasSize(1);
  }

  @Test
  void missingForgedTamperedAndWrongKeySignaturesAreAllAnswered401Alike() {
    String url = signedService();
    long now = f.clock.instant().getEpochSecond();
    byte[] otherKey = "another key, also thirty-two b..".getBytes(StandardCharsets.US_ASCII);

    CallbackResponse missing = signed(url, "msg_2", now, null, APPROVED_BODY);
    CallbackResponse tampered =
        signed(
            url,
            "msg_2",
            now,
            sign(KEY, "msg_2", now, APPROVED_BODY),
            APPROVED_BODY.replace("350000", "999999"));
    CallbackResponse forged =
        signed(
            url,
            "msg_2",
            now,
            "v1," + Base64.getEncoder().encodeToString(new byte[32]),
            APPROVED_BODY);
    CallbackResponse wrongKey =
        signed(url, "msg_2", now, sign(otherKey, "msg_2", now, APPROVED_BODY), APPROVED_BODY);
    CallbackResponse otherId =
        signed(url, "msg_3", now, sign(KEY, "msg_2", now, APPROVED_BODY), APPROVED_BODY);

    for (CallbackResponse r : List.of(missing, tampered, forged, wrongKey, otherId)) {
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(missing.body());
    }
    assertThat(TestHandler.RUNS).hasValue(0);
  }

  @Test
  void aSignatureOlderThanFiveMinutesIsRefusedAndOneWithinThemIsNot() {
    String url = signedService();
    long then = f.clock.instant().getEpochSecond();
    f.clock.advance(Duration.ofMinutes(6));

    CallbackResponse stale =
        signed(url, "msg_4", then, sign(KEY, "msg_4", then, APPROVED_BODY), APPROVED_BODY);
    long recent = f.clock.instant().minus(Duration.ofMinutes(4)).getEpochSecond();
    CallbackResponse fresh =
        signed(url, "msg_5", recent, sign(KEY, "msg_5", recent, APPROVED_BODY), APPROVED_BODY);

    assertThat(stale.status()).isEqualTo(401);
    assertThat(fresh.status()).isEqualTo(200);
  }

  @Test
  void aReplayOfASignedCallbackIsADuplicateThatDoesNotRunTheHandlerAgain() {
    String url = signedService();
    long now = f.clock.instant().getEpochSecond();
    String signature = sign(KEY, "msg_6", now, APPROVED_BODY);

    assertThat(signed(url, "msg_6", now, signature, APPROVED_BODY).status()).isEqualTo(200);
    f.clock.advance(Duration.ofMinutes(3));
    assertThat(signed(url, "msg_6", now, signature, APPROVED_BODY).status()).isEqualTo(200);

    assertThat(TestHandler.RUNS).hasValue(1);
  }

  @Test
  void aRefusedSignatureIsLoggedWithoutSayingWhichCheckFailed() {
    String url = signedService();
    long now = f.clock.instant().getEpochSecond();

    signed(url, "msg_7", now, null, APPROVED_BODY);

    assertThat(f.kinds(submitted.invocationId())).last().isEqualTo("CALLBACK_REJECTED");
    assertThat(f.messages(submitted.invocationId()).getLast())
        .contains("webhook signature missing, invalid or outside its time window")
        .endsWith("→ 401");
    assertThat(f.status(submitted.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(submitted.invocationId())).isEmpty();
  }

  @Test
  void servicesWithoutASecretTakeUnsignedCallbacks() {
    f = new RuntimeFixture(b -> b.webhookSecrets("Shipments", SECRET)).withAcme();
    InvocationResult r = f.submit(new TestHandler("Ari", APPROVED));

    assertThat(f.approve(r).status()).isEqualTo(200);
  }

  @Test
  void aClientGuessingTokensGets429OnceOverTheLimitButItsValidCallbackStillGoesThrough() {
    f = new RuntimeFixture(b -> b.unknownTokenLimit(3)).withAcme();
    InvocationResult r = f.submit(new TestHandler("Ari", APPROVED));
    List<Integer> guesses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      guesses.add(guess("A".repeat(42) + i, "203.0.113.9"));
    }
    CallbackResponse guesserWithARealToken =
        f.services
            .receiver()
            .handle(
                Callbacks.to("POST", r.callbackUrls().get(APPROVED))
                    .json(APPROVED_BODY)
                    .from("203.0.113.9")
                    .build());

    assertThat(guesses).containsExactly(404, 404, 404, 429, 429);
    assertThat(guess("A".repeat(43), "203.0.113.9")).as("still over the limit").isEqualTo(429);
    assertThat(guesserWithARealToken.status())
        .as("a known token is checked first and never counted")
        .isEqualTo(200);
    assertThat(guess("B".repeat(43), "198.51.100.7")).isEqualTo(404);
    assertThat(f.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void behindATrustedProxyTheForwardedClientIsCountedNotTheProxy() {
    f =
        new RuntimeFixture(b -> b.unknownTokenLimit(2).trustedProxies("10.0.0.0/8", "fd00::/8"))
            .withAcme();
    InvocationResult r = f.submit(new TestHandler("Ari", APPROVED));
    List<Integer> noisy = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      noisy.add(guessVia("C".repeat(42) + i, "10.0.0.1", "X-Forwarded-For", "203.0.113.9"));
    }
    // another client behind the same proxy, told apart by the proxy's header
    int quiet = guessVia("D".repeat(43), "10.0.0.1", "X-Forwarded-For", "198.51.100.7");
    // a spoofed leftmost entry does not help the noisy client: the rightmost untrusted hop counts
    int spoofed =
        guessVia("E".repeat(43), "10.0.0.1", "X-Forwarded-For", "192.0.2.1, 203.0.113.9, 10.0.0.2");
    int forwarded =
        guessVia(
            "F".repeat(43),
            "[fd00::1]:443",
            "Forwarded",
            "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\", for=203.0.113.9");
    CallbackResponse valid =
        f.services
            .receiver()
            .handle(
                Callbacks.to("POST", r.callbackUrls().get(APPROVED))
                    .json(APPROVED_BODY)
                    .header("X-Forwarded-For", "203.0.113.9")
                    .from("10.0.0.1")
                    .build());

    assertThat(noisy).containsExactly(404, 404, 429);
    assertThat(quiet).isEqualTo(404);
    assertThat(spoofed).isEqualTo(429);
    assertThat(forwarded).as("Forwarded names the same client").isEqualTo(429);
    assertThat(valid.status()).isEqualTo(200);
  }

  @Test
  void forwardingHeadersFromAnUntrustedPeerAreIgnored() {
    f = new RuntimeFixture(b -> b.unknownTokenLimit(2).trustedProxies("10.0.0.0/8")).withAcme();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // a client rotating the address it claims is still counted under its own
      statuses.add(guessVia("G".repeat(42) + i, "203.0.113.50", "X-Forwarded-For", "192.0.2." + i));
    }

    assertThat(statuses).containsExactly(404, 404, 429);
  }

  private int guess(String token, String from) {
    return f.services
        .receiver()
        .handle(Callbacks.atPath("POST", token).json(APPROVED_BODY).from(from).build())
        .status();
  }

  private int guessVia(String token, String proxy, String header, String value) {
    return f.services
        .receiver()
        .handle(
            Callbacks.atPath("POST", token)
                .json(APPROVED_BODY)
                .header(header, value)
                .from(proxy)
                .build())
        .status();
  }

  @Test
  void illFormedTokensCountAsGuessesToo() {
    f = new RuntimeFixture(b -> b.unknownTokenLimit(2)).withAcme();

    List<Integer> statuses = new ArrayList<>();
    for (String path : List.of("x", "y", "z")) {
      statuses.add(
          f.services
              .receiver()
              .handle(Callbacks.atPath("POST", path).from("203.0.113.10").build())
              .status());
    }

    assertThat(statuses).containsExactly(404, 404, 429);
  }
}
