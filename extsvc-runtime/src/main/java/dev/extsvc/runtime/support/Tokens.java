package dev.extsvc.runtime.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Callback tokens: 256 random bits, base64url without padding (43 characters). Only their SHA-256
 * is stored; only a prefix of that hash is ever shown or logged.
 */
public final class Tokens {
  public static final int LENGTH = 43;

  private static final SecureRandom RANDOM = new SecureRandom();

  private Tokens() {}

  public static String mint() {
    return mint(1)[0];
  }

  /**
   * {@code count} tokens from one draw of the shared generator: an invocation's tokens take its
   * lock once, not once each (under load every request thread queues on it).
   */
  public static String[] mint(int count) {
    byte[] bytes = new byte[32 * count];
    RANDOM.nextBytes(bytes);
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    String[] tokens = new String[count];
    for (int i = 0; i < count; i++) {
      tokens[i] = base64.encodeToString(Arrays.copyOfRange(bytes, 32 * i, 32 * (i + 1)));
    }
    return tokens;
  }

  /**
   * Whether the text has a token's shape; checked before any lookup so that junk never reaches the
   * store.
   */
  public static boolean wellFormed(String token) {
    if (token.length() != LENGTH) {
      return false;
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = token.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  public static byte[] hash(String token) {
    return sha256(token.getBytes(StandardCharsets.US_ASCII));
  }

  /** The first 8 hex digits of the token's hash: safe to log, enough to correlate. */
  public static String hashPrefix(byte[] tokenHash) {
    return HexFormat.of().formatHex(tokenHash, 0, 4);
  }

  /**
   * The callback URL as shown and stored: {@code prefix} is the public base URL and the callback
   * path.
   */
  public static String maskedUrl(String prefix, byte[] tokenHash) {
    return prefix + "/{token sha256:" + hashPrefix(tokenHash) + "}";
  }

  public static byte[] sha256(byte[] bytes) {
    return newSha256().digest(bytes);
  }

  /**
   * Never used itself, only cloned: {@code MessageDigest.getInstance} looks the algorithm up among
   * the security providers on every call, which a CPU profile of callback ingest found costlier
   * than the hash of the callback's body (two hashes a callback: its token, its dedup key).
   */
  private static final MessageDigest SHA_256 = sha256Instance();

  private static MessageDigest newSha256() {
    try {
      return (MessageDigest) SHA_256.clone();
    } catch (CloneNotSupportedException e) {
      return sha256Instance(); // a provider whose digest cannot be cloned: look it up each time
    }
  }

  private static MessageDigest sha256Instance() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
