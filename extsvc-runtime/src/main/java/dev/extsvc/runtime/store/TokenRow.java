package dev.extsvc.runtime.store;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A callback token as stored: only its SHA-256, never the token.
 *
 * @param target the injection target's id (e.g. "body:/callbackUrlForOutcomes/approved")
 * @param keys the callback keys whose URL is written at that target, in declaration order
 * @param suffixes for each callback expression (the template as written) whose URL continues with
 *     expressions after the runtime's URL, that suffix evaluated from the request when the token
 *     was minted (e.g. "/shipments/R-17"); the callback must arrive at it. Empty when every suffix
 *     is literal text.
 */
public record TokenRow(
    byte[] tokenHash,
    UUID invocationId,
    String target,
    List<String> keys,
    Map<String, String> suffixes) {
  public TokenRow {
    tokenHash = tokenHash.clone();
    keys = List.copyOf(keys);
    suffixes = Map.copyOf(suffixes);
  }

  /** A token whose keys' suffixes are all literal text. */
  public TokenRow(byte[] tokenHash, UUID invocationId, String target, List<String> keys) {
    this(tokenHash, invocationId, target, keys, Map.of());
  }

  @Override
  public byte[] tokenHash() {
    return tokenHash.clone();
  }
}
