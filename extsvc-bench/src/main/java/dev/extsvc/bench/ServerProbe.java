package dev.extsvc.bench;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * The server process of the scale figures, in a JVM of its own so that its memory is only its own:
 * opens the store as {@code extsvc serve} would, starts the server, reports heap and RSS after a
 * GC, then times the sweeper and the console's list queries. Prints {@code key=value} lines for the
 * harness to read.
 *
 * <p>Arguments: {@code sqlite FILE | postgresql URL}, now (epoch ms), bands, sweep, repeats ({@code
 * 0 0 0} for memory only).
 */
final class ServerProbe {
  private ServerProbe() {}

  public static void main(String[] args) throws Exception {
    var db =
        new Databases.Fresh(
            StoreKind.valueOf(args[0].toUpperCase(java.util.Locale.ROOT)),
            args[0].equals("sqlite") ? "jdbc:sqlite:" + args[1] : args[1],
            args[0].equals("sqlite") ? Path.of(args[1]) : null);
    Instant now = Instant.ofEpochMilli(Long.parseLong(args[2]));
    int bands = Integer.parseInt(args[3]);
    int sweep = Integer.parseInt(args[4]);
    int repeats = Integer.parseInt(args[5]);
    SettableClock clock = new SettableClock(now);
    int port = EndToEnd.freePort();
    try (JdbcStore store = db.openStore();
        ExternalServices services =
            ExternalServices.builder()
                .store(store)
                .publicBaseUrl("http://127.0.0.1:" + port)
                .clock(clock)
                .startSweeper(false)
                .allowHandlerPackage("dev.extsvc.bench")
                .build();
        ExtsvcServer server = ExtsvcServer.builder(services).port(port).build().start()) {
      memory("start");
      for (int b = 0; b < bands; b++) {
        clock.set(now.plusSeconds(b * 3600L + 60));
        if (store.sharedClock()) {
          bringBandDue(db, now, b);
        }
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        long written0 = writtenBytes(db);
        int swept = services.sweepNow();
        // sweepNow returns once the batches are committed and every hook has run.
        print("sweep." + b + ".ms", (System.nanoTime() - t0) / 1e6);
        print("sweep." + b + ".cpuMs", (processCpuNanos() - cpu0) / 1e6);
        print("sweep." + b + ".writtenBytes", writtenBytes(db) - written0);
        print("sweep." + b + ".count", swept);
        print("sweep." + b + ".hooks", BenchHandler.TIMEOUT_HOOKS.size());
        print(
            "sweep." + b + ".hooksTwice",
            BenchHandler.TIMEOUT_HOOKS.values().stream().filter(n -> n > 1).count());
        BenchHandler.TIMEOUT_HOOKS.clear();
        print(
            "sweep." + b + ".timedOutInStore",
            store.countByStatus().getOrDefault(InvocationStatus.TIMED_OUT, 0L));
      }
      if (bands > 0) {
        memory("swept");
      }
      if (repeats > 0) {
        for (Map.Entry<String, InvocationQuery> q : ListQueries.firstPages(now).entrySet()) {
          for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            List<?> page = store.invocations(q.getValue());
            print("query." + r + "." + q.getKey(), (System.nanoTime() - t0) / 1e6);
            print("rows." + q.getKey(), page.size());
          }
        }
      }
    }
  }

  /**
   * On a store several nodes share (PostgreSQL) the runtime reads the database's clock, not the
   * probe's: band b's deadlines (now + b hours) are moved back to now, which has passed, before the
   * sweep is timed.
   */
  private static void bringBandDue(Databases.Fresh db, Instant now, int band) throws Exception {
    if (band == 0) {
      return;
    }
    long nowMicros = now.toEpochMilli() * 1000;
    long shift = band * 3_600_000_000L;
    try (var c = db.connect();
        var update =
            c.prepareStatement(
                "UPDATE extsvc_invocation_state SET deadline = deadline - ?"
                    + " WHERE status = 'PENDING' AND deadline >= ? AND deadline < ?")) {
      update.setLong(1, shift);
      update.setLong(2, nowMicros + shift);
      update.setLong(3, nowMicros + shift + 3_600_000_000L);
      update.executeUpdate();
      c.createStatement().execute("ANALYZE extsvc_invocation_state");
    }
  }

  /**
   * What the store has written so far, bytes: on SQLite what this process handed to write(2)
   * ({@code wchar} in /proc/self/io: the log's frames and the checkpoints' copies, whether or not
   * the kernel has written them out yet); on PostgreSQL the WAL the server generated ({@code
   * pg_stat_wal}, the whole cluster, in which only the sweep runs meanwhile).
   */
  private static long writtenBytes(Databases.Fresh db) throws Exception {
    if (db.kind() == StoreKind.SQLITE) {
      return procField("io", "wchar:").orElseThrow();
    }
    try (var c = db.connect();
        var rows = c.createStatement().executeQuery("SELECT wal_bytes FROM pg_stat_wal")) {
      rows.next();
      return rows.getBigDecimal(1).longValueExact();
    }
  }

  /** CPU time of this whole JVM (every thread, JIT and GC included), nanoseconds. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void memory(String when) throws IOException {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    print(
        when + ".heapMiB",
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0);
    long rssKb = procField("status", "VmRSS:").orElse(-1);
    print(when + ".rssMiB", rssKb / 1024.0);
  }

  /** The number on the line of /proc/self/{@code file} that starts with {@code key}. */
  private static java.util.OptionalLong procField(String file, String key) throws IOException {
    return Files.readAllLines(Path.of("/proc/self", file)).stream()
        .filter(l -> l.startsWith(key))
        .mapToLong(l -> Long.parseLong(l.substring(key.length()).replaceAll("[^0-9]", "")))
        .findFirst();
  }

  private static void print(String key, double value) {
    System.out.println("probe:" + key + "=" + value);
  }

  /** The sweeper's clock, moved to each band's deadline. */
  static final class SettableClock implements InstantSource {
    private volatile Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
