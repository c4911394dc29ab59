package dev.extsvc.runtime.receive;

import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.CallbackSignature;
import dev.extsvc.runtime.CallbackSignature.Encoding;
import dev.extsvc.runtime.CallbackSignature.Scheme;
import dev.extsvc.runtime.credentials.Secret;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Checks a callback's signature by its service's {@link CallbackSignature}: the presets (Standard
 * Webhooks, GitHub, Stripe, Slack, Shopify, Twilio) and the generic HMAC. Every candidate signature
 * is compared in constant time ({@link MessageDigest#isEqual}), without an early exit; one boolean
 * for every failure, so a forger learns nothing about which check failed. Secrets are read from
 * their references per check (a rotated file is picked up) and appear in no message.
 */
final class SignatureCheck {
  private final CallbackSignature signature;

  SignatureCheck(CallbackSignature signature) {
    this.signature = signature;
  }

  /**
   * Whether the callback is signed by one of the secrets.
   *
   * @param url the public URL the sender called (Twilio signs it)
   */
  boolean verify(CallbackRequest request, byte[] body, String url, Instant now) {
    boolean ok = false;
    for (Secret secret : signature.secrets()) {
      ok |= verify(secret.value(), request, body, url, now);
    }
    return ok;
  }

  private boolean verify(
      String secret, CallbackRequest request, byte[] body, String url, Instant now) {
    return switch (signature.scheme()) {
      case STANDARD_WEBHOOKS -> standardWebhooks(secret, request, body, now);
      case GITHUB ->
          matches(
              request.header("X-Hub-Signature-256"),
              "sha256=",
              Encoding.HEX,
              hmac("HmacSHA256", utf8(secret), body));
      case STRIPE -> stripe(secret, request.header("Stripe-Signature"), body, now);
      case SLACK -> slack(secret, request, body, now);
      case SHOPIFY ->
          matches(
              request.header("X-Shopify-Hmac-Sha256"),
              "",
              Encoding.BASE64,
              hmac("HmacSHA256", utf8(secret), body));
      case TWILIO ->
          matches(
              request.header("X-Twilio-Signature"),
              "",
              Encoding.BASE64,
              hmac("HmacSHA1", utf8(secret), twilioSigned(url, request, body)));
      case HMAC -> generic(secret, request, body, now);
    };
  }

  private boolean standardWebhooks(
      String secret, CallbackRequest request, byte[] body, Instant now) {
    List<String> one = List.of(secret);
    WebhookSignatures check;
    try {
      check = new WebhookSignatures(one);
    } catch (IllegalArgumentException e) {
      return false; // a secret that is not base64 signs nothing
    }
    return check.verify(
        request.header("webhook-id"),
        request.header("webhook-timestamp"),
        request.header("webhook-signature"),
        body,
        now,
        signature.tolerance());
  }

  /** {@code t=TIMESTAMP,v1=HEX[,v1=HEX...]}: HMAC-SHA256 of "TIMESTAMP.body", hex. */
  private boolean stripe(String secret, @Nullable String header, byte[] body, Instant now) {
    if (header == null) {
      return false;
    }
    String timestamp = null;
    List<String> candidates = new ArrayList<>();
    for (String part : header.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = part.substring(0, eq).strip();
      String value = part.substring(eq + 1).strip();
      if (name.equals("t")) {
        timestamp = value;
      } else if (name.equals("v1")) {
        candidates.add(value);
      }
    }
    if (timestamp == null || !fresh(timestamp, now)) {
      return false;
    }
    byte[] expected = hmac("HmacSHA256", utf8(secret), concat(utf8(timestamp + "."), body));
    boolean ok = false;
    for (String candidate : candidates) {
      ok |= equal(expected, decode(candidate, Encoding.HEX));
    }
    return ok;
  }

  /** {@code X-Slack-Signature: v0=HEX} of "v0:TIMESTAMP:body", the timestamp in its own header. */
  private boolean slack(String secret, CallbackRequest request, byte[] body, Instant now) {
    String timestamp = request.header("X-Slack-Request-Timestamp");
    if (timestamp == null || !fresh(timestamp, now)) {
      return false;
    }
    byte[] expected =
        hmac("HmacSHA256", utf8(secret), concat(utf8("v0:" + timestamp.strip() + ":"), body));
    return matches(request.header("X-Slack-Signature"), "v0=", Encoding.HEX, expected);
  }

  private boolean generic(String secret, CallbackRequest request, byte[] body, Instant now) {
    CallbackSignature.Hmac h = signature.hmac();
    if (h == null) {
      return false;
    }
    byte[] signed = body;
    if (h.signed() == CallbackSignature.Signed.TIMESTAMP_DOT_BODY) {
      String timestamp = h.timestampHeader() == null ? null : request.header(h.timestampHeader());
      if (timestamp == null || !fresh(timestamp, now)) {
        return false;
      }
      signed = concat(utf8(timestamp.strip() + "."), body);
    }
    String algorithm = "Hmac" + h.algorithm();
    return matches(
        request.header(h.header()),
        h.prefix(),
        h.encoding(),
        hmac(algorithm, utf8(secret), signed));
  }

  /**
   * What Twilio signs: the URL, then each form parameter (sorted by name) as name and value; for a
   * body that is not a form, the URL alone.
   */
  static byte[] twilioSigned(String url, CallbackRequest request, byte[] body) {
    StringBuilder out = new StringBuilder(url);
    String type = request.header("Content-Type");
    if (type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      Map<String, List<String>> sorted = new TreeMap<>();
      form(new String(body, StandardCharsets.UTF_8))
          .forEach(
              p -> sorted.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(p.getValue()));
      sorted.forEach((name, values) -> values.forEach(v -> out.append(name).append(v)));
    }
    return utf8(out.toString());
  }

  /** A form body's parameters in order, decoded. */
  static List<Map.Entry<String, String>> form(String body) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (body.isEmpty()) {
      return out;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.add(
            Map.entry(
                URLDecoder.decode(name, StandardCharsets.UTF_8),
                URLDecoder.decode(value, StandardCharsets.UTF_8)));
      } catch (IllegalArgumentException e) {
        out.add(Map.entry(name, value)); // a malformed escape is kept as sent
      }
    }
    return out;
  }

  private boolean fresh(String timestamp, Instant now) {
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.strip());
    } catch (NumberFormatException e) {
      return false;
    }
    return Math.abs(now.getEpochSecond() - seconds) <= signature.tolerance().toSeconds();
  }

  private static boolean matches(
      @Nullable String header, String prefix, Encoding encoding, byte[] expected) {
    if (header == null) {
      return false;
    }
    String value = header.strip();
    if (!value.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return false;
    }
    return equal(expected, decode(value.substring(prefix.length()), encoding));
  }

  private static boolean equal(byte[] expected, byte @Nullable [] given) {
    // MessageDigest.isEqual takes the same time whatever the contents (JDK 6u17 and later)
    return given != null && MessageDigest.isEqual(expected, given);
  }

  private static byte @Nullable [] decode(String text, Encoding encoding) {
    try {
      return encoding == Encoding.HEX
          ? HexFormat.of().parseHex(text.toLowerCase(Locale.ROOT))
          : Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static byte[] hmac(String algorithm, byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A scheme's name, for messages. */
  Scheme scheme() {
    return signature.scheme();
  }
}
