package dev.extsvc.mock;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses which callback key the mock fires for a request. A request header {@code X-Mock-Callback: KEY} overrides
 * the rule ({@code none} fires nothing).
 */
public sealed interface KeyRule {

  /** Picks one of {@code keys} (never empty, declaration order) for an invocation of {@code operationId}. */
  String choose(String operationId, List<String> keys);

  /** Always this key (when the operation has it; else the first key). */
  static KeyRule fixed(String key) {
    return new Fixed(key);
  }

  /** Cycles through the operation's keys in declaration order. */
  static KeyRule roundRobin() {
    return new RoundRobin(new ConcurrentHashMap<>());
  }

  /** Random, reproducible for a seed. */
  static KeyRule random(long seed) {
    return new Seeded(new Random(seed));
  }

  /** Parses "fixed:KEY", "round-robin" or "random:SEED" (the CLI's form). */
  static KeyRule parse(String text) {
    if (text.equals("round-robin")) {
      return roundRobin();
    }
    if (text.startsWith("fixed:") && text.length() > 6) {
      return fixed(text.substring(6));
    }
    if (text.startsWith("random:")) {
      try {
        return random(Long.parseLong(text.substring(7)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("random:SEED needs a whole number, got '" + text.substring(7) + "'");
      }
    }
    throw new IllegalArgumentException("key rule must be fixed:KEY, round-robin or random:SEED, got '" + text + "'");
  }

  record Fixed(String key) implements KeyRule {
    @Override
    public String choose(String operationId, List<String> keys) {
      return keys.contains(key) ? key : keys.get(0);
    }
  }

  record RoundRobin(Map<String, AtomicInteger> next) implements KeyRule {
    @Override
    public String choose(String operationId, List<String> keys) {
      int i = next.computeIfAbsent(operationId, k -> new AtomicInteger()).getAndIncrement();
      return keys.get(Math.floorMod(i, keys.size()));
    }
  }

  record Seeded(Random random) implements KeyRule {
    @Override
    public String choose(String operationId, List<String> keys) {
      synchronized (random) {
        return keys.get(random.nextInt(keys.size()));
      }
    }
  }
}
