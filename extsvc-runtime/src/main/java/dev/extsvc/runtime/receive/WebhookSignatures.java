package dev.extsvc.runtime.receive;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Verifies Standard Webhooks signatures: {@code webhook-signature} holds space-separated {@code
 * v1,<base64>} HMAC-SHA256 signatures of {@code id.timestamp.body} (several, for key rotation); the
 * timestamp must be within the tolerance on either side. One answer for every failure, so a forger
 * learns nothing about which check failed.
 */
final class WebhookSignatures {
  static final Duration TOLERANCE = Duration.ofMinutes(5);
  private static final String PREFIX = "whsec_";

  private final List<byte[]> keys;

  /**
   * @param secrets each "whsec_BASE64" (or plain base64); several while keys rotate
   */
  WebhookSignatures(List<String> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one webhook secret is needed");
    }
    this.keys = secrets.stream().map(WebhookSignatures::decode).toList();
  }

  boolean verify(
      @Nullable String id,
      @Nullable String timestamp,
      @Nullable String signatures,
      byte[] body,
      Instant now) {
    return verify(id, timestamp, signatures, body, now, TOLERANCE);
  }

  /** As {@link #verify(String, String, String, byte[], Instant)} with another tolerance. */
  boolean verify(
      @Nullable String id,
      @Nullable String timestamp,
      @Nullable String signatures,
      byte[] body,
      Instant now,
      Duration tolerance) {
    if (id == null || timestamp == null || signatures == null) {
      return false;
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
      return false;
    }
    byte[] signed = concat((id + "." + seconds + ".").getBytes(StandardCharsets.UTF_8), body);
    boolean ok = false;
    for (byte[] key : keys) {
      byte[] expected = hmac(key, signed);
      for (String candidate : signatures.trim().split(" +")) {
        int comma = candidate.indexOf(',');
        if (comma < 0 || !candidate.substring(0, comma).equals("v1")) {
          continue;
        }
        byte[] given;
        try {
          given = Base64.getDecoder().decode(candidate.substring(comma + 1));
        } catch (IllegalArgumentException e) {
          continue;
        }
        // Every candidate is compared in constant time; no early exit on the first match either.
        ok |= MessageDigest.isEqual(expected, given);
      }
    }
    return ok;
  }

  /** The signature a sender with this (first) key would send; for tests and for our own mock. */
  String sign(String id, long timestamp, byte[] body) {
    byte[] signed = concat((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
    return "v1," + Base64.getEncoder().encodeToString(hmac(keys.get(0), signed));
  }

  private static byte[] decode(String secret) {
    String base64 = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "a webhook secret must be base64, optionally prefixed whsec_", e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
