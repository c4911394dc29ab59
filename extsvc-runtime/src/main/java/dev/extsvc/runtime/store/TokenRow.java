package dev.extsvc.runtime.store;

import java.util.List;
import java.util.UUID;

/**
 * A callback token as stored: only its SHA-256, never the token.
 *
 * @param target the injection target's id (e.g. "body:/callbackUrlForOutcomes/approved")
 * @param keys the callback keys whose URL is written at that target, in declaration order
 */
public record TokenRow(byte[] tokenHash, UUID invocationId, String target, List<String> keys) {
  public TokenRow {
    tokenHash = tokenHash.clone();
    keys = List.copyOf(keys);
  }

  @Override
  public byte[] tokenHash() {
    return tokenHash.clone();
  }
}
