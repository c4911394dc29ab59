package dev.extsvc.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Sizes and bounds of one harness run. {@link #forFullRun()} is what docs/benchmarks.md shows;
 * {@link #forQuickRun()} checks that everything works in a couple of minutes.
 *
 * @param count timed invocations and callbacks per end-to-end run
 * @param warmup untimed ones sent first in each run (checked like the rest)
 * @param concurrency requests in flight
 * @param limit no load phase starts a request after this
 * @param runs repetitions of every figure
 * @param pending invocations waiting in the store for the scale figures
 * @param sweep how many of them time out at once, per run
 */
record Settings(
    boolean quick,
    int count,
    int warmup,
    int concurrency,
    Duration limit,
    int runs,
    int pending,
    int sweep,
    int queryRepeats,
    Path out,
    Path work,
    boolean jmh) {

  static final int CONCURRENCY = 64;

  Settings {
    if (count < 1 || warmup < 0 || concurrency < 1 || runs < 1 || pending < 1 || sweep < 1) {
      throw new IllegalArgumentException("sizes must be positive");
    }
    if ((long) sweep * runs > pending) {
      throw new IllegalArgumentException(
          "sweep × runs (" + (long) sweep * runs + ") exceeds pending (" + pending + ")");
    }
  }

  static Settings forFullRun() {
    return new Settings(
        false,
        10_000,
        2_000,
        CONCURRENCY,
        Duration.ofMinutes(2),
        3,
        1_000_000,
        100_000,
        7,
        Path.of("docs/benchmarks.md"),
        Path.of("extsvc-bench/target/bench-work"),
        true);
  }

  static Settings forQuickRun() {
    return new Settings(
        true,
        2_000,
        500,
        CONCURRENCY,
        Duration.ofSeconds(30),
        3,
        30_000,
        5_000,
        5,
        Path.of("extsvc-bench/target/benchmarks-quick.md"),
        Path.of("extsvc-bench/target/bench-work"),
        true);
  }

  Settings withCount(int newCount) {
    return new Settings(
        quick,
        newCount,
        warmup,
        concurrency,
        limit,
        runs,
        pending,
        sweep,
        queryRepeats,
        out,
        work,
        jmh);
  }

  Settings withPending(int newPending, int newSweep) {
    return new Settings(
        quick,
        count,
        warmup,
        concurrency,
        limit,
        runs,
        newPending,
        newSweep,
        queryRepeats,
        out,
        work,
        jmh);
  }

  Settings withRuns(int newRuns) {
    return new Settings(
        quick,
        count,
        warmup,
        concurrency,
        limit,
        newRuns,
        pending,
        sweep,
        queryRepeats,
        out,
        work,
        jmh);
  }

  Settings withOut(Path newOut) {
    return new Settings(
        quick,
        count,
        warmup,
        concurrency,
        limit,
        runs,
        pending,
        sweep,
        queryRepeats,
        newOut,
        work,
        jmh);
  }

  Settings withoutJmh() {
    return new Settings(
        quick,
        count,
        warmup,
        concurrency,
        limit,
        runs,
        pending,
        sweep,
        queryRepeats,
        out,
        work,
        false);
  }
}
