package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Several callbacks per request, as real providers send them: steps of keys (status updates, then
 * the final one), each sent some times at an interval, with duplicates, shuffled delivery and
 * random delays. Written as flags ({@code status*3@200ms,done}) or a small YAML file. The callbacks
 * of one request go out one after another, each once the one before was answered and its time has
 * come, so their order is the plan's unless shuffled. Every callback of a scenario carries its
 * place in the plan as the header {@value #SEQUENCE_HEADER} (1, 2, ...; a duplicate repeats its
 * original's), so a receiver can tell arrival from plan order.
 *
 * @param steps the keys to send, in plan order
 * @param duplicates how many extra copies of each callback are sent (same body), right after it
 * @param outOfOrder whether the planned send times are shuffled among the callbacks
 * @param jitter a random extra delay, up to this, added to each callback's send time
 * @param seed the seed of the shuffle and the jitter: the same seed, the same plan
 */
public record Scenario(
    List<Step> steps, int duplicates, boolean outOfOrder, Duration jitter, long seed) {
  /** The header with a scenario callback's place in the plan. */
  public static final String SEQUENCE_HEADER = "X-Mock-Sequence";

  /**
   * The header with a scenario callback's event id, unique per request and place (duplicates share
   * it): what a receiver tells repeats by, as it would a provider's.
   */
  public static final String EVENT_ID_HEADER = "Idempotency-Key";

  private static final Pattern STEP =
      Pattern.compile("([^*@,\\s]+)(?:\\*(\\d+))?(?:@([0-9]+(?:ms|s|m)))?");

  /**
   * One key sent {@code times} times, {@code every} apart (the first {@code every} after the step
   * before it).
   */
  public record Step(String key, int times, Duration every) {
    public Step {
      if (key.isBlank()) {
        throw new IllegalArgumentException("a scenario step needs a callback key");
      }
      if (times < 1) {
        throw new IllegalArgumentException("step " + key + ": times must be at least 1");
      }
      if (every.isNegative()) {
        throw new IllegalArgumentException("step " + key + ": the interval cannot be negative");
      }
    }
  }

  /** One planned callback: its key, its place in the plan, and when it goes out after the first. */
  record Planned(String key, int sequence, Duration at) {}

  public Scenario {
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a scenario needs at least one step");
    }
    if (duplicates < 0) {
      throw new IllegalArgumentException("duplicates cannot be negative");
    }
    if (jitter.isNegative()) {
      throw new IllegalArgumentException("jitter cannot be negative");
    }
  }

  /** The steps alone, in order, without duplicates, shuffling or jitter. */
  public static Scenario of(Step... steps) {
    return new Scenario(List.of(steps), 0, false, Duration.ZERO, 0);
  }

  public Scenario withDuplicates(int copies) {
    return new Scenario(steps, copies, outOfOrder, jitter, seed);
  }

  public Scenario withOutOfOrder(boolean shuffled, long seedOfShuffle) {
    return new Scenario(steps, duplicates, shuffled, jitter, seedOfShuffle);
  }

  public Scenario withJitter(Duration upTo) {
    return new Scenario(steps, duplicates, outOfOrder, upTo, seed);
  }

  /**
   * Reads the flag form: steps separated by commas, each {@code KEY}, {@code KEY*TIMES} or {@code
   * KEY*TIMES@INTERVAL} with the interval in ms, s or m: {@code status*3@200ms,done}.
   */
  public static Scenario parse(String text) {
    List<Step> steps = new ArrayList<>();
    for (String part : text.split(",")) {
      String s = part.strip();
      Matcher m = STEP.matcher(s);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "a scenario step is KEY, KEY*TIMES or KEY*TIMES@INTERVAL (e.g. status*3@200ms), got '"
                + s
                + "'");
      }
      steps.add(
          new Step(
              m.group(1),
              m.group(2) == null ? 1 : Integer.parseInt(m.group(2)),
              m.group(3) == null ? Duration.ZERO : duration(m.group(3))));
    }
    return new Scenario(steps, 0, false, Duration.ZERO, 0);
  }

  /**
   * Reads a scenario file:
   *
   * <pre>
   * steps:
   *   - {key: status, times: 3, every: 200ms}
   *   - {key: done}
   * duplicates: 1
   * outOfOrder: true
   * jitter: 300ms
   * seed: 42
   * </pre>
   *
   * The file may also say faults ({@link ProviderFaults#load}), which this leaves out.
   */
  public static Scenario load(Path file) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": a scenario file is a mapping with steps");
    }
    Set<String> known =
        new java.util.HashSet<>(Set.of("steps", "duplicates", "outOfOrder", "jitter", "seed"));
    known.addAll(ProviderFaults.FILE_KEYS); // read by ProviderFaults.load
    only(root, file + "", known);
    JsonNode stepsNode = root.path("steps");
    if (!stepsNode.isArray() || stepsNode.isEmpty()) {
      throw new IllegalArgumentException(file + ": steps must be a list of {key, times, every}");
    }
    List<Step> steps = new ArrayList<>();
    for (JsonNode n : stepsNode) {
      String where = file + ": steps[" + steps.size() + "]";
      only(n, where, Set.of("key", "times", "every"));
      steps.add(
          new Step(
              n.path("key").asText(""),
              n.path("times").asInt(1),
              n.has("every") ? duration(n.get("every").asText()) : Duration.ZERO));
    }
    return new Scenario(
        steps,
        root.path("duplicates").asInt(0),
        root.path("outOfOrder").asBoolean(false),
        root.has("jitter") ? duration(root.get("jitter").asText()) : Duration.ZERO,
        root.path("seed").asLong(0));
  }

  private static void only(JsonNode node, String where, Set<String> known) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " must be a mapping");
    }
    node.fieldNames()
        .forEachRemaining(
            k -> {
              if (!known.contains(k)) {
                throw new IllegalArgumentException(
                    where
                        + ": unknown key '"
                        + k
                        + "'; known: "
                        + known.stream().sorted().toList());
              }
            });
  }

  /** "250ms", "2s", "1m" or ISO-8601 ("PT2S"). */
  static Duration duration(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      if (s.endsWith("s") && !s.startsWith("p")) {
        return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      }
      if (s.endsWith("m") && !s.startsWith("p")) {
        return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
      }
      return Duration.parse(text.strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration such as 250ms, 2s, 1m or PT2S");
    }
  }

  /** Whether the scenario sends any callback of these keys (else the key rule chooses). */
  boolean appliesTo(List<String> keys) {
    return steps.stream().anyMatch(s -> keys.contains(s.key()));
  }

  /**
   * The callbacks for one request whose operation has {@code keys}: steps of other keys left out,
   * times shuffled and jittered as the scenario says, duplicates right after their original; in
   * send order.
   */
  List<Planned> plan(List<String> keys, @Nullable Random random) {
    List<Planned> planned = new ArrayList<>();
    Duration at = Duration.ZERO;
    int sequence = 0;
    for (Step step : steps) {
      if (!keys.contains(step.key())) {
        continue;
      }
      for (int i = 0; i < step.times(); i++) {
        at = sequence == 0 && i == 0 ? at : at.plus(step.every());
        planned.add(new Planned(step.key(), ++sequence, at));
      }
    }
    Random r = random != null ? random : new Random(seed);
    if (outOfOrder) {
      List<Duration> times = new ArrayList<>(planned.stream().map(Planned::at).toList());
      Collections.shuffle(times, r);
      for (int i = 0; i < planned.size(); i++) {
        Planned p = planned.get(i);
        planned.set(i, new Planned(p.key(), p.sequence(), times.get(i)));
      }
    }
    List<Planned> out = new ArrayList<>();
    for (Planned p : planned) {
      Duration sendAt =
          jitter.isZero() ? p.at() : p.at().plusMillis((long) (r.nextDouble() * jitter.toMillis()));
      for (int copy = 0; copy <= duplicates; copy++) {
        out.add(new Planned(p.key(), p.sequence(), sendAt));
      }
    }
    // stable: duplicates stay right after their original
    out.sort(java.util.Comparator.comparing(Planned::at));
    return List.copyOf(out);
  }
}
