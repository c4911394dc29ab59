package dev.extsvc.mock;

import dev.extsvc.spec.Operation;

/**
 * Chooses which callback an asynchronous operation answers with, e.g. "approved" or "rejected". A
 * request header {@value MockService#KEY_HEADER} overrides the rule for that request.
 */
@FunctionalInterface
public interface KeyRule {

  /**
   * Returns one of {@code operation.callbackKeys()} (any other key is recorded as a failed
   * delivery).
   *
   * @param request the request being answered
   */
  String choose(Operation operation, RecordedRequest request);

  /** Always the same key; the mock refuses to build when no operation has it. */
  static KeyRule fixed(String key) {
    return new KeyRules.Fixed(key);
  }

  /** The keys of each operation in declaration order, one after another, then again. */
  static KeyRule roundRobin() {
    return new KeyRules.RoundRobin();
  }

  /** A key at random; the same seed gives the same sequence of choices. */
  static KeyRule random(long seed) {
    return new KeyRules.Seeded(seed);
  }

  /** Reads the command line's form: "fixed:KEY", "round-robin" or "random:SEED". */
  static KeyRule parse(String text) {
    return KeyRules.parse(text);
  }
}
