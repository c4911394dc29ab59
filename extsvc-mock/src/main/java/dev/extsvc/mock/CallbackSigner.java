package dev.extsvc.mock;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a callback as the providers' documentation says, with the headers each scheme sends: what
 * the runtime's shared address checks. JSON bodies only (Twilio signs the URL alone then).
 */
final class CallbackSigner {
  private CallbackSigner() {}

  static Map<String, String> headers(
      SharedAddress.Signing signing, String url, String body, Instant now) {
    long t = now.getEpochSecond();
    byte[] raw = signing.secret().getBytes(StandardCharsets.UTF_8);
    Map<String, String> h = new LinkedHashMap<>();
    switch (signing.scheme()) {
      case STANDARD_WEBHOOKS -> {
        String secret = signing.secret();
        byte[] key =
            Base64.getDecoder()
                .decode(secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret);
        String id = "msg_" + UUID.randomUUID();
        h.put("webhook-id", id);
        h.put("webhook-timestamp", Long.toString(t));
        h.put("webhook-signature", "v1," + b64(mac("HmacSHA256", key, id + "." + t + "." + body)));
      }
      case GITHUB -> h.put("X-Hub-Signature-256", "sha256=" + hex(mac("HmacSHA256", raw, body)));
      case STRIPE ->
          h.put(
              "Stripe-Signature", "t=" + t + ",v1=" + hex(mac("HmacSHA256", raw, t + "." + body)));
      case SLACK -> {
        h.put("X-Slack-Request-Timestamp", Long.toString(t));
        h.put("X-Slack-Signature", "v0=" + hex(mac("HmacSHA256", raw, "v0:" + t + ":" + body)));
      }
      case SHOPIFY -> h.put("X-Shopify-Hmac-Sha256", b64(mac("HmacSHA256", raw, body)));
      case TWILIO -> h.put("X-Twilio-Signature", b64(mac("HmacSHA1", raw, url)));
    }
    return h;
  }

  private static byte[] mac(String algorithm, byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
