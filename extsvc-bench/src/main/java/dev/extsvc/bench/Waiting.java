package dev.extsvc.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The scale of waiting on one store: bulk-load the waiting invocations, measure the file, then
 * start the server in a JVM of its own ({@link ServerProbe}) on that store for memory, sweeps and
 * list queries, beside a probe on an empty store for the baseline.
 */
final class Waiting {
  /** No probe may run longer than this; it is killed and the harness fails. */
  static final long PROBE_LIMIT_MINUTES = 20;

  /** The figures of one store. */
  record Figures(
      int pending,
      double loadSeconds,
      long bytesOnDisk,
      Map<String, Double> empty,
      Map<String, Double> loaded,
      Stat sweepMillis,
      Stat sweepCpuMillis,
      Stat sweepWrittenBytes,
      int sweptPerRun,
      Map<String, Stat> queryMillis,
      Map<String, Integer> queryRows) {}

  private Waiting() {}

  static Figures measure(Settings settings, Databases databases, StoreKind kind) {
    Map<String, Double> empty = probe(databases.fresh(kind), Instant.now(), 0, 0, 0);
    Databases.Fresh db = databases.fresh(kind);
    Instant now = Instant.now();
    WaitingRows rows = new WaitingRows(settings.pending(), settings.sweep(), settings.runs(), now);
    long t0 = System.nanoTime();
    BulkLoader.load(db, rows);
    double loadSeconds = (System.nanoTime() - t0) / 1e9;
    long bytes = db.sizeOnDisk();
    // the load written out before the probe, as a store long in service would be
    databases.writeBack();
    Map<String, Double> loaded =
        probe(db, now, settings.runs(), settings.sweep(), settings.queryRepeats());
    List<Double> sweeps = new ArrayList<>();
    List<Double> sweepCpu = new ArrayList<>();
    List<Double> sweepWritten = new ArrayList<>();
    for (int b = 0; b < settings.runs(); b++) {
      int swept = Stat.known(loaded, "sweep." + b + ".count").intValue();
      if (swept != settings.sweep()) {
        throw new IllegalStateException(
            kind.label + ": sweep " + b + " timed out " + swept + ", expected " + settings.sweep());
      }
      // Every timed-out invocation's hook ran, once, and the store holds them all TIMED_OUT.
      int hooks = Stat.known(loaded, "sweep." + b + ".hooks").intValue();
      int twice = Stat.known(loaded, "sweep." + b + ".hooksTwice").intValue();
      long inStore = Stat.known(loaded, "sweep." + b + ".timedOutInStore").longValue();
      if (hooks != swept || twice != 0 || inStore != (long) swept * (b + 1)) {
        throw new IllegalStateException(
            kind.label
                + ": sweep "
                + b
                + ": "
                + hooks
                + " hooks ran ("
                + twice
                + " more than once) for "
                + swept
                + " timed out; "
                + inStore
                + " TIMED_OUT in the store, expected "
                + (long) swept * (b + 1));
      }
      sweeps.add(loaded.get("sweep." + b + ".ms"));
      sweepCpu.add(loaded.get("sweep." + b + ".cpuMs"));
      sweepWritten.add(Stat.known(loaded, "sweep." + b + ".writtenBytes"));
    }
    Map<String, Stat> queries = new LinkedHashMap<>();
    Map<String, Integer> queryRows = new LinkedHashMap<>();
    for (String name : ListQueries.firstPages(now).keySet()) {
      List<Double> times = new ArrayList<>();
      for (int r = 0; r < settings.queryRepeats(); r++) {
        times.add(loaded.get("query." + r + "." + name));
      }
      queries.put(name, Stat.of(times));
      queryRows.put(name, Stat.known(loaded, "rows." + name).intValue());
    }
    return new Figures(
        settings.pending(),
        loadSeconds,
        bytes,
        empty,
        loaded,
        Stat.of(sweeps),
        Stat.of(sweepCpu),
        Stat.of(sweepWritten),
        settings.sweep(),
        queries,
        queryRows);
  }

  /**
   * Runs {@link ServerProbe} in a new JVM with this JVM's class path; its {@code probe:} lines, as
   * numbers.
   */
  private static Map<String, Double> probe(
      Databases.Fresh db, Instant now, int bands, int sweep, int repeats) {
    String java = ProcessHandle.current().info().command().orElse("java");
    String where = db.file() != null ? db.file().toAbsolutePath().toString() : db.jdbcUrl();
    List<String> command =
        new ArrayList<>(List.of(java, "-Xmx1g", "--enable-native-access=ALL-UNNAMED"));
    String extra = System.getProperty("bench.probeJavaOpts");
    if (extra != null && !extra.isBlank()) {
      // comma-separated: scripts/bench splits BENCH_JAVA_OPTS at spaces
      command.addAll(List.of(extra.trim().split(",")));
    }
    String jfr = System.getProperty("bench.jfr");
    if (jfr != null && bands > 0) {
      // The probe is where the sweeper runs: record it there, as IngestProfile does for the
      // callbacks.
      command.add(
          "-XX:StartFlightRecording=settings=profile,filename="
              + Path.of(jfr, "waiting-" + db.kind().label.toLowerCase(Locale.ROOT) + ".jfr")
                  .toAbsolutePath());
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            ServerProbe.class.getName(),
            db.kind() == StoreKind.SQLITE ? "sqlite" : "postgresql",
            where,
            Long.toString(now.toEpochMilli()),
            Integer.toString(bands),
            Integer.toString(sweep),
            Integer.toString(repeats)));
    Map<String, Double> values = new LinkedHashMap<>();
    try {
      Process process =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      // Bounded: a probe still running at the limit is killed, which also ends the read below.
      CompletableFuture.runAsync(
          process::destroyForcibly,
          CompletableFuture.delayedExecutor(PROBE_LIMIT_MINUTES, TimeUnit.MINUTES));
      try (var out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("probe:")) {
            int eq = line.lastIndexOf('=');
            values.put(line.substring(6, eq), Double.parseDouble(line.substring(eq + 1)));
          }
        }
      }
      if (process.waitFor() != 0) {
        throw new IllegalStateException(
            "server probe failed with exit code " + process.exitValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return values;
  }
}
