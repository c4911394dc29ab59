package dev.extsvc.mock;

import dev.extsvc.spec.Operation;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The built-in {@link KeyRule}s. */
final class KeyRules {
  private KeyRules() {}

  static KeyRule parse(String text) {
    if (text.equals("round-robin")) {
      return new RoundRobin();
    }
    if (text.startsWith("fixed:") && text.length() > "fixed:".length()) {
      return new Fixed(text.substring("fixed:".length()));
    }
    if (text.startsWith("random:")) {
      try {
        return new Seeded(Long.parseLong(text.substring("random:".length())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("random:SEED needs a whole number, got '" + text + "'");
      }
    }
    throw new IllegalArgumentException(
        "a key rule is fixed:KEY, round-robin or random:SEED, got '" + text + "'");
  }

  record Fixed(String key) implements KeyRule {
    Fixed {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public String choose(Operation operation, RecordedRequest request) {
      return key;
    }
  }

  /** Counts per operation, so one operation's traffic does not skip keys of another. */
  static final class RoundRobin implements KeyRule {
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

    @Override
    public String choose(Operation operation, RecordedRequest request) {
      List<String> keys = operation.callbackKeys();
      long n = counters.computeIfAbsent(operation.id(), id -> new AtomicLong()).getAndIncrement();
      return keys.get((int) (n % keys.size()));
    }
  }

  static final class Seeded implements KeyRule {
    private final Random random;

    Seeded(long seed) {
      this.random = new Random(seed);
    }

    @Override
    public String choose(Operation operation, RecordedRequest request) {
      List<String> keys = operation.callbackKeys();
      synchronized (random) {
        return keys.get(random.nextInt(keys.size()));
      }
    }
  }
}
