package dev.extsvc.runtime.support;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * UUID version 7 (RFC 9562): a millisecond timestamp then random bits, so ids sort by creation
 * time.
 */
public final class UuidV7 {
  private static final SecureRandom RANDOM = new SecureRandom();

  private UuidV7() {}

  public static UUID at(Instant time) {
    long millis = time.toEpochMilli();
    // One draw for both random fields: each draw of the shared generator takes its lock (and reads
    // the system's source), and every invocation and callback makes an id.
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long randA = ((random[0] & 0xFFL) << 4 | (random[1] & 0xFFL) >>> 4) & 0xFFFL;
    long randB = 0;
    for (int i = 2; i < 10; i++) {
      randB = randB << 8 | (random[i] & 0xFFL);
    }
    long msb = (millis << 16) | (0x7L << 12) | randA;
    long lsb = (randB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
