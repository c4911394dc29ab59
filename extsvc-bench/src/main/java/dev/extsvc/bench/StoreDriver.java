package dev.extsvc.bench;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.runtime.store.TokenRow;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SQLite store alone under first deliveries, for the cost of a schema or writer change: what
 * the writer thread spends and what it writes to the log per callback, without HTTP, JIT noise from
 * a server or a load generator sharing the cores. Not a figure of the harness: a tool to compare
 * two commits on one machine, run after {@code scripts/bench} built the module:
 *
 * <pre>
 * java -cp "extsvc-bench/target/classes:$(cat extsvc-bench/target/classpath.txt)" \
 *   dev.extsvc.bench.StoreDriver 20000 ["DROP INDEX extsvc_events_invocation; ..."]
 * </pre>
 *
 * <p>It makes that many PENDING invocations (with a token, their answer and its words), then 64
 * virtual threads take them in random order and do what the server does for a handled first
 * delivery: the callback stored with its lease, then the invocation completed. The optional SQL
 * runs on a connection of its own before the callbacks (to see what an index or trigger costs).
 * Linux only: the log bytes are the process's {@code wchar} from {@code /proc/self/io}, which also
 * counts the checkpoints' copies.
 */
final class StoreDriver {
  private static final int SENDERS = 64;
  private static final String REQUEST =
      "{\"method\":\"POST\",\"body\":{\"applicant\":{\"name\":\"Ada Lovelace\",\"city\":\"London\"},"
          + "\"amount\":250000,\"reference\":\"REF-%d\",\"notes\":\""
          + "lorem ipsum dolor sit amet ".repeat(25)
          + "\"}}";
  private static final String CALLBACK_BODY =
      "{\"decision\":\"approved\",\"rate\":3.5,\"officer\":\"Grace Hopper\"}";

  private StoreDriver() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: StoreDriver CALLBACKS [SQL; SQL...]");
      System.exit(2);
    }
    int count = Integer.parseInt(args[0]);
    Path file = Files.createTempDirectory("extsvc-store-driver").resolve("extsvc.db");
    try (var store = JdbcStore.sqlite(file);
        var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<UUID> ids = invocations(store, threads, count);
      Collections.shuffle(ids, new Random(1));
      if (args.length > 1) {
        alter(file, args[1]);
      }
      Thread.sleep(Duration.ofSeconds(3)); // the checkpointer and the search indexer catch up
      Map<String, Long> cpuBefore = storeThreadsCpu();
      long[] ioBefore = io();
      long start = System.nanoTime();
      deliver(store, threads, ids);
      double seconds = (System.nanoTime() - start) / 1e9;
      long[] ioAfter = io();
      Map<String, Long> cpuAfter = storeThreadsCpu();
      System.out.printf(
          Locale.ROOT,
          "%d callbacks in %.2f s: %.0f/s; %.1f KB written and %.1f write calls per callback%n",
          count,
          seconds,
          count / seconds,
          (ioAfter[0] - ioBefore[0]) / 1024.0 / count,
          (ioAfter[1] - ioBefore[1]) / (double) count);
      cpuAfter.forEach(
          (name, nanos) ->
              System.out.printf(
                  Locale.ROOT,
                  "  %s: %.3f ms CPU per callback%n",
                  name,
                  (nanos - cpuBefore.getOrDefault(name, 0L)) / 1e6 / count));
    }
  }

  private static List<UUID> invocations(JdbcStore store, ExecutorService threads, int count)
      throws InterruptedException, ExecutionException {
    Instant now = Instant.now();
    var ids = new ArrayList<UUID>(count);
    var pending = new ArrayList<Future<?>>();
    var random = new Random(2);
    for (int i = 0; i < count; i++) {
      UUID id = timeOrdered(now, random);
      ids.add(id);
      byte[] tokenHash = new byte[32];
      random.nextBytes(tokenHash);
      String request = String.format(Locale.ROOT, REQUEST, i);
      String answer = "{\"applicationNumber\":\"A-" + i + "\"}";
      pending.add(
          threads.submit(
              () -> {
                var invocation =
                    new InvocationRow(
                        id,
                        "acme",
                        "submitApplication",
                        true,
                        InvocationStatus.PENDING,
                        null,
                        BenchHandler.class.getName(),
                        "{}",
                        request,
                        null,
                        null,
                        null,
                        now,
                        now.plus(Duration.ofDays(1)),
                        null,
                        null);
                store.createInvocation(
                    invocation,
                    List.of(new TokenRow(tokenHash, id, "body:/callbackUrl", List.of("approved"))),
                    List.of(new NewEvent(id, now, EventKind.SUBMITTED, "submitted")));
                store.recordSyncAnswer(
                    id, 202, "{}", answer, new NewEvent(id, now, EventKind.CALLOUT, "answered"));
                return null;
              }));
      if (pending.size() == SENDERS) {
        awaitAll(pending);
      }
    }
    awaitAll(pending);
    return ids;
  }

  private static void deliver(JdbcStore store, ExecutorService threads, List<UUID> ids)
      throws InterruptedException, ExecutionException {
    var next = new AtomicInteger();
    var senders = new ArrayList<Future<?>>();
    for (int s = 0; s < SENDERS; s++) {
      senders.add(
          threads.submit(
              () -> {
                for (int i = next.getAndIncrement(); i < ids.size(); i = next.getAndIncrement()) {
                  deliverOne(store, ids.get(i), "d" + i);
                }
                return null;
              }));
    }
    awaitAll(senders);
  }

  private static void deliverOne(JdbcStore store, UUID id, String dedupKey) {
    Instant at = Instant.now();
    var callback =
        new CallbackRow(
            UUID.randomUUID(),
            id,
            "approved",
            at,
            "POST",
            "{\"content-type\":\"application/json\"}",
            CALLBACK_BODY,
            dedupKey,
            CallbackOutcome.RECEIVED,
            null,
            0,
            null);
    var inserted =
        store.insertCallbackAndClaim(
            callback,
            new NewEvent(id, at, EventKind.CALLBACK_RECEIVED, "received"),
            "driver",
            at.plusSeconds(60));
    var lease = inserted.lease();
    if (lease == null) {
      throw new IllegalStateException("invocation " + id + " was not leased");
    }
    store.completeWithCallback(
        lease,
        at,
        List.of(
            new NewEvent(id, at, EventKind.HANDLER_OK, "handled"),
            new NewEvent(id, at, EventKind.COMPLETED, "completed")));
  }

  /** A version-7 UUID as the runtime makes them: milliseconds first, so ids arrive in key order. */
  private static UUID timeOrdered(Instant at, Random random) {
    long high = (at.toEpochMilli() << 16) | 0x7000L | (random.nextInt() & 0x0fffL);
    long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(high, low);
  }

  private static void awaitAll(List<Future<?>> futures)
      throws InterruptedException, ExecutionException {
    for (var future : futures) {
      future.get();
    }
    futures.clear();
  }

  /** Runs the statements on a connection of the driver's own, while the store is idle. */
  private static void alter(Path file, String statements) throws SQLException {
    try (var connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        var statement = connection.createStatement()) {
      statement.execute("PRAGMA busy_timeout = 5000");
      for (String sql : statements.split(";")) {
        if (!sql.isBlank()) {
          statement.execute(sql);
        }
      }
    }
  }

  /** CPU time of the store's threads (writer, readers, checkpointer, indexer) by name. */
  private static Map<String, Long> storeThreadsCpu() {
    var bean = ManagementFactory.getThreadMXBean();
    var cpu = new TreeMap<String, Long>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      String name = thread.getName();
      if (name.startsWith("extsvc-") && !name.contains("housekeeper")) {
        cpu.merge(
            name.replaceAll("-?[0-9]+$", ""), bean.getThreadCpuTime(thread.threadId()), Long::sum);
      }
    }
    return cpu;
  }

  /** The process's bytes written and write calls so far. */
  private static long[] io() throws IOException {
    long written = 0;
    long calls = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (line.startsWith("wchar:")) {
        written = Long.parseLong(line.substring("wchar:".length()).trim());
      } else if (line.startsWith("syscw:")) {
        calls = Long.parseLong(line.substring("syscw:".length()).trim());
      }
    }
    return new long[] {written, calls};
  }
}
