package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The ways a real provider fails and recovers: callouts answered 500 (the first few, or a share of
 * them), synchronous answers that come late, and callbacks retried on a schedule until the receiver
 * answers 2xx. Which callouts fail is deterministic: with a share of 0.25 every fourth one does, so
 * a test can count.
 *
 * @param failFirst the first this many callouts (requests that match an operation) are answered 500
 *     and get no callback, as a provider that did not take the request
 * @param failShare the share (0..1) of the later callouts answered 500, spread evenly
 * @param lateBy the wait before a synchronous answer; zero for none
 * @param lateShare the share (0..1) of callouts answered {@code lateBy} late; 1 for all
 * @param retrySchedule when callbacks are sent again after a non-2xx answer; null keeps the mock's
 *     plain retries (5xx and connection errors, linear backoff)
 */
public record ProviderFaults(
    int failFirst,
    double failShare,
    Duration lateBy,
    double lateShare,
    @Nullable RetrySchedule retrySchedule) {

  /** No faults, the mock's plain retries. */
  public static final ProviderFaults NONE = new ProviderFaults(0, 0, Duration.ZERO, 1, null);

  /** The keys of a scenario file that say faults. */
  public static final Set<String> FILE_KEYS =
      Set.of("failFirst", "failShare", "lateBy", "lateShare", "retrySchedule", "retryScale");

  public ProviderFaults {
    if (failFirst < 0) {
      throw new IllegalArgumentException("failFirst cannot be negative");
    }
    share("failShare", failShare);
    share("lateShare", lateShare);
    if (lateBy.isNegative()) {
      throw new IllegalArgumentException("lateBy cannot be negative");
    }
  }

  private static void share(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " is a share from 0 to 1, got " + value);
    }
  }

  public ProviderFaults withFailFirst(int count) {
    return new ProviderFaults(count, failShare, lateBy, lateShare, retrySchedule);
  }

  public ProviderFaults withFailShare(double share) {
    return new ProviderFaults(failFirst, share, lateBy, lateShare, retrySchedule);
  }

  public ProviderFaults withLate(Duration by, double share) {
    return new ProviderFaults(failFirst, failShare, by, share, retrySchedule);
  }

  public ProviderFaults withRetrySchedule(@Nullable RetrySchedule schedule) {
    return new ProviderFaults(failFirst, failShare, lateBy, lateShare, schedule);
  }

  /** Whether nothing differs from {@link #NONE}. */
  public boolean none() {
    return equals(NONE);
  }

  /** Whether callout number {@code n} (1 is the first) is answered 500. */
  boolean fails(long n) {
    return n <= failFirst || hit(n - failFirst, failShare);
  }

  /** The wait before callout {@code n}'s synchronous answer. */
  Duration lateness(long n) {
    return !lateBy.isZero() && hit(n, lateShare) ? lateBy : Duration.ZERO;
  }

  /** Spreads a share evenly: number n is hit when the running count of hits goes up at n. */
  private static boolean hit(long n, double share) {
    return n > 0 && Math.floor(n * share) > Math.floor((n - 1) * share);
  }

  /**
   * Reads the fault keys of a scenario file ({@link #FILE_KEYS}; the file's other keys are the
   * scenario's):
   *
   * <pre>
   * failFirst: 2
   * failShare: 0.25
   * lateBy: 5s
   * lateShare: 0.5
   * retrySchedule: [0s, 5s, 5m, 30m, 2h, 5h, 10h, 10h]   # or: standard
   * retryScale: 0.001
   * </pre>
   */
  public static ProviderFaults load(Path file) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": a scenario file is a mapping");
    }
    String where = file + "";
    ProviderFaults f =
        new ProviderFaults(
            root.path("failFirst").asInt(0),
            root.path("failShare").asDouble(0),
            root.has("lateBy") ? Scenario.duration(root.get("lateBy").asText()) : Duration.ZERO,
            root.path("lateShare").asDouble(1),
            null);
    JsonNode schedule = root.get("retrySchedule");
    double scale = root.path("retryScale").asDouble(1);
    if (schedule == null) {
      if (root.has("retryScale")) {
        throw new IllegalArgumentException(where + ": retryScale needs a retrySchedule");
      }
      return f;
    }
    if (schedule.isTextual()) {
      return f.withRetrySchedule(RetrySchedule.parse(schedule.asText(), scale));
    }
    if (!schedule.isArray()) {
      throw new IllegalArgumentException(
          where + ": retrySchedule is 'standard' or a list of waits such as [0s, 5s, 5m]");
    }
    List<Duration> waits = new ArrayList<>();
    for (JsonNode w : schedule) {
      waits.add(Scenario.duration(w.asText()));
    }
    return f.withRetrySchedule(new RetrySchedule(waits, scale));
  }
}
