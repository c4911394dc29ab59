package dev.extsvc.runtime.receive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.CallbackSignature;
import dev.extsvc.runtime.CallbackSignature.Encoding;
import dev.extsvc.runtime.CallbackSignature.Hmac;
import dev.extsvc.runtime.CallbackSignature.Scheme;
import dev.extsvc.runtime.CallbackSignature.Signed;
import dev.extsvc.runtime.credentials.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The signature presets against the reference vectors their providers publish (GitHub, Slack,
 * Twilio, Standard Webhooks), and against signatures made by the documented scheme where none is
 * published (Stripe, Shopify, the generic HMAC); every forged or stale one is refused.
 */
class SignatureCheckTest {
  private static final String URL = "https://hooks.example.com/callbacks/services/Acme";

  private static CallbackRequest request(Map<String, String> headers, String body) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    headers.forEach((k, v) -> h.put(k, List.of(v)));
    return new CallbackRequest(
        "POST", "services/Acme", h, body.getBytes(StandardCharsets.UTF_8), "127.0.0.1");
  }

  private static boolean verify(
      CallbackSignature sig, Map<String, String> headers, String body, Instant now, String url) {
    return new SignatureCheck(sig)
        .verify(request(headers, body), body.getBytes(StandardCharsets.UTF_8), url, now);
  }

  @Test
  void gitHubsPublishedExampleVerifiesAndAChangedBodyDoesNot() {
    // docs.github.com, "Validating webhook deliveries": secret, payload and signature as published
    CallbackSignature sig =
        CallbackSignature.preset(Scheme.GITHUB, Secret.of("It's a Secret to Everybody"));
    Map<String, String> headers =
        Map.of(
            "X-Hub-Signature-256",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    assertThat(verify(sig, headers, "Hello, World!", Instant.now(), URL)).isTrue();
    assertThat(verify(sig, headers, "Hello, World?", Instant.now(), URL)).isFalse();
    assertThat(verify(sig, Map.of(), "Hello, World!", Instant.now(), URL)).isFalse();
  }

  @Test
  void slacksPublishedExampleVerifiesWithinItsTimeWindowOnly() {
    // api.slack.com, "Verifying requests from Slack": the worked example's secret, body, signature
    String body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
            + "&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
            + "%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    CallbackSignature sig =
        CallbackSignature.preset(Scheme.SLACK, Secret.of("8f742231b10e8888abcd99yyyzzz85a5"));
    Map<String, String> headers =
        Map.of(
            "X-Slack-Request-Timestamp", "1531420618",
            "X-Slack-Signature",
                "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
    Instant then = Instant.ofEpochSecond(1531420618 + 60);
    assertThat(verify(sig, headers, body, then, URL)).isTrue();
    assertThat(verify(sig, headers, body, then.plusSeconds(600), URL)).isFalse();
  }

  @Test
  void twiliosPublishedExampleVerifiesOverTheUrlAndSortedFormParameters() {
    // twilio.com/docs/usage/security, "Validating signatures from Twilio": token 12345
    String url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    String body =
        "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030"
            + "&To=%2B18005551212";
    CallbackSignature sig = CallbackSignature.preset(Scheme.TWILIO, Secret.of("12345"));
    String expected =
        Base64.getEncoder()
            .encodeToString(
                SignatureCheck.hmac(
                    "HmacSHA1",
                    "12345".getBytes(StandardCharsets.UTF_8),
                    (url
                            + "CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030"
                            + "To+18005551212")
                        .getBytes(StandardCharsets.UTF_8)));
    Map<String, String> headers =
        Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Twilio-Signature", expected);
    assertThat(expected).isEqualTo(TWILIO_PUBLISHED);
    assertThat(verify(sig, headers, body, Instant.now(), url)).isTrue();
    assertThat(verify(sig, headers, body, Instant.now(), url + "&baz=3")).isFalse();
  }

  /** The signature Twilio's page gives for its example. */
  private static final String TWILIO_PUBLISHED = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

  @Test
  void standardWebhooksReferenceVectorVerifies() {
    // standard-webhooks/standard-webhooks, the libraries' shared test vector
    CallbackSignature sig =
        CallbackSignature.preset(
            Scheme.STANDARD_WEBHOOKS, Secret.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    Map<String, String> headers =
        Map.of(
            "webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "webhook-timestamp", "1614265330",
            "webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    Instant then = Instant.ofEpochSecond(1614265330);
    assertThat(verify(sig, headers, "{\"test\": 2432232314}", then, URL)).isTrue();
    assertThat(verify(sig, headers, "{\"test\": 2432232315}", then, URL)).isFalse();
  }

  @Test
  void stripeSignatureOfTimestampAndBodyVerifiesWithAnyOfSeveralV1Entries() {
    // Stripe publishes the scheme (t=..., v1=HMAC-SHA256 of "t.body", hex), no vector
    String secret = "whsec_test_secret";
    String body = "{\"id\":\"evt_1\",\"data\":{\"object\":{\"id\":\"pi_42\"}}}";
    long t = 1_700_000_000L;
    String v1 =
        HexFormat.of()
            .formatHex(
                SignatureCheck.hmac(
                    "HmacSHA256",
                    secret.getBytes(StandardCharsets.UTF_8),
                    (t + "." + body).getBytes(StandardCharsets.UTF_8)));
    CallbackSignature sig = CallbackSignature.preset(Scheme.STRIPE, Secret.of(secret));
    Instant now = Instant.ofEpochSecond(t + 30);
    assertThat(
            verify(
                sig,
                Map.of("Stripe-Signature", "t=" + t + ",v1=" + "00".repeat(32) + ",v1=" + v1),
                body,
                now,
                URL))
        .isTrue();
    assertThat(
            verify(
                sig,
                Map.of("Stripe-Signature", "t=" + t + ",v1=" + v1),
                body,
                now.plusSeconds(400),
                URL))
        .as("outside the 5 minute tolerance")
        .isFalse();
    assertThat(
            verify(sig, Map.of("Stripe-Signature", "t=" + (t + 1) + ",v1=" + v1), body, now, URL))
        .as("the timestamp is signed")
        .isFalse();
  }

  @Test
  void shopifyBase64SignatureOfTheBodyVerifies() {
    String body = "{\"id\":820982911946154508}";
    String mac =
        Base64.getEncoder()
            .encodeToString(
                SignatureCheck.hmac(
                    "HmacSHA256",
                    "shpss_secret".getBytes(StandardCharsets.UTF_8),
                    body.getBytes(StandardCharsets.UTF_8)));
    CallbackSignature sig = CallbackSignature.preset(Scheme.SHOPIFY, Secret.of("shpss_secret"));
    assertThat(verify(sig, Map.of("X-Shopify-Hmac-Sha256", mac), body, Instant.now(), URL))
        .isTrue();
    assertThat(verify(sig, Map.of("X-Shopify-Hmac-Sha256", "AAAA" + mac), body, Instant.now(), URL))
        .isFalse();
  }

  @Test
  void genericHmacWithTimestampVerifiesAndASecondSecretRotatesIn() {
    Hmac def =
        new Hmac(
            "X-Signature",
            "sha512=",
            Encoding.HEX,
            "sha-512",
            Signed.TIMESTAMP_DOT_BODY,
            "X-Timestamp");
    CallbackSignature sig = CallbackSignature.hmac(def, Secret.of("old"), Secret.of("new"));
    String body = "{\"order\":\"A-1\"}";
    long t = 1_700_000_000L;
    String mac =
        HexFormat.of()
            .formatHex(
                SignatureCheck.hmac(
                    "HmacSHA512",
                    "new".getBytes(StandardCharsets.UTF_8),
                    (t + "." + body).getBytes(StandardCharsets.UTF_8)));
    Instant now = Instant.ofEpochSecond(t);
    assertThat(
            verify(
                sig, Map.of("X-Signature", "sha512=" + mac, "X-Timestamp", "" + t), body, now, URL))
        .isTrue();
    assertThat(verify(sig, Map.of("X-Signature", "sha512=" + mac), body, now, URL))
        .as("the timestamp is required")
        .isFalse();
  }
}
