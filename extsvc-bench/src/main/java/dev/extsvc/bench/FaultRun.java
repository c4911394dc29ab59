package dev.extsvc.bench;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One fault-suite run on one store: pending invocations made through {@code
 * ExternalServices.invoke}, then their callbacks sent by retrying senders while the server is
 * killed again and again at the chosen points, then the store made unavailable for a while, then
 * everything delivered and checked with plain SQL and the handler's journal.
 */
final class FaultRun {
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final List<String> FINAL_KINDS = List.of("COMPLETED", "TIMED_OUT", "CANCELLED");

  /**
   * Added to a count of an invocation's final events: 1 for a TIMED_OUT invocation whose timeout
   * wrote no event row (the store reads that event from the state row, {@code JdbcStore.timeOut}).
   */
  private static final String TIMEOUT_WITHOUT_ROW =
      " + CASE WHEN s.status = 'TIMED_OUT' AND NOT EXISTS (SELECT 1 FROM extsvc_events t"
          + " WHERE t.invocation_id = i.id AND t.kind = 'TIMED_OUT') THEN 1 ELSE 0 END";

  private final FaultSuite.Options options;
  private final StoreKind kind;
  private final Path dir;
  private final Random random;
  private final int port = EndToEnd.freePort();
  private @Nullable EmbeddedPostgres postgres;
  private int postgresPort;
  private String jdbcUrl = "";

  FaultRun(FaultSuite.Options options, StoreKind kind) {
    this.options = options;
    this.kind = kind;
    this.dir = options.work().resolve(kind.name().toLowerCase(java.util.Locale.ROOT));
    this.random = new Random(options.seed());
  }

  FaultFigures run() throws Exception {
    Databases.deleteTree(dir);
    Files.createDirectories(dir);
    long started = System.nanoTime();
    try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(dir.resolve("target.log")))) {
      if (kind == StoreKind.POSTGRESQL) {
        postgresPort = EndToEnd.freePort();
        startPostgres();
        jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
      } else {
        jdbcUrl = "jdbc:sqlite:" + dir.resolve("extsvc.db").toAbsolutePath();
      }
      List<String> urls = invocations();
      FaultFigures.Builder figures = new FaultFigures.Builder(kind, options.callbacks());
      int incarnation = 0;
      Map<Integer, FaultPoint> killedAt = new HashMap<>();
      try (FaultSenders senders = new FaultSenders(urls, options.senders())) {
        List<FaultPoint> schedule = schedule();
        for (FaultPoint point : schedule) {
          incarnation++;
          int at = 1 + random.nextInt(8);
          try (FaultChild child = FaultChild.start(targetArgs(), incarnation, point, at, log)) {
            long t0 = System.nanoTime();
            if (!child.awaitReadyOrExit(120)) {
              throw new IllegalStateException(
                  "incarnation "
                      + incarnation
                      + " did not start; see "
                      + dir.resolve("target.log"));
            }
            FaultPoint reached;
            if (!child
                .listening()) { // halted while recovering the callbacks left by the last kill,
              // before listening
              if (child.exitCode() != FaultTarget.HALT_CODE) {
                throw new IllegalStateException(
                    "incarnation "
                        + incarnation
                        + " ended with "
                        + child.exitCode()
                        + "; see "
                        + dir.resolve("target.log"));
              }
              reached = point;
              figures.haltedBeforeListening();
            } else {
              figures.startMillis((System.nanoTime() - t0) / 1e6);
              reached = killAt(child, point, figures);
            }
            figures.kill(reached);
            killedAt.put(incarnation, reached);
          }
        }
        incarnation++;
        try (FaultChild child =
            FaultChild.start(targetArgs(), incarnation, FaultPoint.RANDOM, 0, log)) {
          if (!child.awaitReadyOrExit(120) || !child.isAlive()) {
            throw new IllegalStateException(
                "the last incarnation did not start; see " + dir.resolve("target.log"));
          }
          if (options.outageSeconds() > 0) {
            outage(child, senders, figures);
          }
          senders.duplicates(false);
          long drainStart = System.nanoTime();
          long limit = drainStart + Duration.ofSeconds(options.drainSeconds()).toNanos();
          while (!senders.allDelivered()
              && System.nanoTime() < limit
              && senders.refused.isEmpty()) {
            Thread.sleep(100);
          }
          figures.drainSeconds((System.nanoTime() - drainStart) / 1e9);
          awaitSettled(figures);
          senders.close();
          child.kill();
        }
        figures.senders(senders);
      }
      verify(figures, killedAt, incarnation);
      log.flush();
      figures.tokensInLogs(scanTokens(urls, dir.resolve("target.log")));
      figures.seconds((System.nanoTime() - started) / 1e9);
      return figures.build();
    } finally {
      stopPostgres();
    }
  }

  /**
   * Kills the listening server at its point: SIGKILL at a random moment, or waits for its halt at
   * the point.
   */
  private FaultPoint killAt(FaultChild child, FaultPoint point, FaultFigures.Builder figures)
      throws InterruptedException {
    if (point == FaultPoint.RANDOM) {
      Thread.sleep(200 + random.nextInt(1800));
      child.kill();
      return FaultPoint.RANDOM;
    }
    if (child.awaitExit(10_000) && child.exitCode() == FaultTarget.HALT_CODE) {
      return point;
    }
    child.kill(); // the point was not reached in time: a random kill after all
    figures.notReached(point);
    return FaultPoint.RANDOM;
  }

  /** The kill points in a shuffled order, each as often as the others. */
  private List<FaultPoint> schedule() {
    List<FaultPoint> points = new ArrayList<>();
    FaultPoint[] all = FaultPoint.values();
    for (int k = 0; k < options.kills(); k++) {
      points.add(all[k % all.length]);
    }
    java.util.Collections.shuffle(points, random);
    return points;
  }

  private List<String> targetArgs() {
    return kind == StoreKind.SQLITE
        ? List.of(
            "sqlite",
            dir.resolve("extsvc.db").toAbsolutePath().toString(),
            Integer.toString(port),
            dir.resolve("journal.db").toAbsolutePath().toString())
        : List.of(
            "postgresql",
            jdbcUrl,
            Integer.toString(port),
            dir.resolve("journal.db").toAbsolutePath().toString());
  }

  private JdbcStore openStore() {
    return kind == StoreKind.SQLITE
        ? JdbcStore.sqlite(dir.resolve("extsvc.db"))
        : JdbcStore.postgres(jdbcUrl, "postgres", "postgres");
  }

  /** The pending invocations, made in this process before any server runs; their callback URLs. */
  private List<String> invocations() {
    List<String> urls = new ArrayList<>();
    try (StandIn bank = new StandIn();
        JdbcStore store = openStore();
        ExternalServices services =
            ExternalServices.builder()
                .store(store)
                .publicBaseUrl("http://127.0.0.1:" + port)
                .allowPrivateNetworks(true)
                .endpoint(Specs.ACME, bank.url())
                .allowHandlerPackage("dev.extsvc.bench")
                .startSweeper(false)
                .build()) {
      if (!services.register(Specs.acme(), null).ok()) {
        throw new IllegalStateException("the Acme spec was refused");
      }
      for (int i = 0; i < options.callbacks(); i++) {
        InvocationResult r =
            services.invoke(
                Specs.ACME,
                Specs.SUBMIT,
                RequestParts.fromJson(Json.readTrusted(Specs.applicationJson(i))),
                new FaultHandler("Applicant " + i),
                Duration.ofHours(1));
        urls.add(r.callbackUrls().get(Specs.APPROVED));
      }
    }
    return urls;
  }

  /** The store unavailable for a while under traffic: SQLite's writes fail, PostgreSQL stops. */
  private void outage(FaultChild child, FaultSenders senders, FaultFigures.Builder figures)
      throws Exception {
    Thread.sleep(2000);
    long ackedBefore = senders.acked();
    long t0 = System.nanoTime();
    if (kind == StoreKind.SQLITE) {
      // As root (or through an open descriptor) chmod does not stop writes; a file size limit of 0
      // does: every write
      // of the process then fails with EFBIG, as on a full disk.
      run("prlimit", "--pid", Long.toString(child.pid()), "--fsize=0:unlimited");
    } else {
      stopPostgres();
    }
    // Only now is the store down: a request sent while prlimit started, or while PostgreSQL was
    // shutting down, may
    // rightly be answered 2xx, and is not an answer "while the store was down".
    senders.outage(true);
    Thread.sleep(options.outageSeconds() * 1000L);
    senders.outage(false);
    boolean aliveDuring = child.isAlive();
    try (Connection c = kind == StoreKind.SQLITE ? connect() : null) {
      // nothing times out while the store is down: read before the store comes back (SQLite reads
      // still work)
      if (c != null) {
        figures.timedOutDuringOutage(
            count(c, "SELECT COUNT(*) FROM extsvc_invocation_state WHERE status = 'TIMED_OUT'"));
      }
    }
    if (kind == StoreKind.SQLITE) {
      run("prlimit", "--pid", Long.toString(child.pid()), "--fsize=unlimited:unlimited");
    } else {
      startPostgres();
    }
    long back = System.nanoTime();
    long ackedAtEnd = senders.acked();
    // how long until the first callback is answered 2xx again
    long limit = back + Duration.ofSeconds(60).toNanos();
    while (senders.lastAckNanos.get() < back && System.nanoTime() < limit) {
      Thread.sleep(20);
    }
    figures.outage(
        options.outageSeconds(),
        (back - t0) / 1e9,
        ackedAtEnd - ackedBefore,
        aliveDuring,
        senders.lastAckNanos.get() >= back ? (senders.lastAckNanos.get() - back) / 1e9 : -1,
        senders.outageAnswersByStatus(),
        senders.outage503WithoutRetryAfter.sum());
  }

  private void awaitSettled(FaultFigures.Builder figures) throws Exception {
    long t0 = System.nanoTime();
    long limit = t0 + Duration.ofSeconds(60).toNanos();
    try (Connection c = connect()) {
      while (System.nanoTime() < limit
          && count(
                  c,
                  "SELECT COUNT(*) FROM extsvc_invocation_state WHERE status = 'PENDING'"
                      + " OR id IN (SELECT invocation_id FROM extsvc_callbacks WHERE outcome = 'RECEIVED')")
              > 0) {
        Thread.sleep(200);
      }
    }
    figures.settleSeconds((System.nanoTime() - t0) / 1e9);
  }

  private void verify(FaultFigures.Builder f, Map<Integer, FaultPoint> killedAt, int last)
      throws SQLException {
    try (Connection c = connect()) {
      f.statuses(
          groupCount(c, "SELECT status, COUNT(*) FROM extsvc_invocation_state GROUP BY status"));
      f.outcomes(groupCount(c, "SELECT outcome, COUNT(*) FROM extsvc_callbacks GROUP BY outcome"));
      f.callbackRowsDoubled(
          count(
              c,
              "SELECT COUNT(*) FROM (SELECT invocation_id FROM extsvc_callbacks"
                  + " GROUP BY invocation_id HAVING COUNT(*) > 1) x"));
      f.notExactlyOneFinalEvent(
          count(
              c,
              "SELECT COUNT(*) FROM extsvc_invocations i JOIN extsvc_invocation_state s ON s.id = i.id"
                  + " WHERE (SELECT COUNT(*) FROM extsvc_events e WHERE e.invocation_id = i.id"
                  + " AND e.kind IN ('COMPLETED', 'TIMED_OUT', 'CANCELLED'))"
                  + TIMEOUT_WITHOUT_ROW
                  + " <> 1"));
      f.finalStateMismatch(
          count(
              c,
              "SELECT COUNT(*) FROM extsvc_invocation_state i WHERE NOT EXISTS (SELECT 1 FROM"
                  + " extsvc_events e WHERE e.invocation_id = i.id AND e.kind = i.status)"
                  + " AND i.status <> 'TIMED_OUT'"));
      f.receivedEventsDoubled(
          count(
              c,
              "SELECT COUNT(*) FROM (SELECT invocation_id FROM extsvc_events"
                  + " WHERE kind = 'CALLBACK_RECEIVED' GROUP BY invocation_id HAVING COUNT(*) > 1) x"));
      f.recovered(count(c, "SELECT COUNT(*) FROM extsvc_events WHERE kind = 'CALLBACK_RECOVERED'"));
      f.duplicateEvents(
          count(c, "SELECT COUNT(*) FROM extsvc_events WHERE kind = 'CALLBACK_DUPLICATE'"));
      Set<String> handled =
          strings(
              c,
              "SELECT i.id FROM extsvc_invocation_state i WHERE i.status = 'COMPLETED'"
                  + " AND EXISTS (SELECT 1 FROM extsvc_callbacks cb WHERE cb.invocation_id = i.id AND cb.outcome = 'HANDLED')");
      try (Connection j =
          DriverManager.getConnection(
              "jdbc:sqlite:" + dir.resolve("journal.db").toAbsolutePath())) {
        Set<String> effects = strings(j, "SELECT invocation FROM effects");
        f.lost(
            options.callbacks() - handled.size(),
            (int) handled.stream().filter(id -> !effects.contains(id)).count());
        // Two runs in one process are a double, except in the last one: there the store went down
        // between a
        // handler's run and its completion, and the runtime rightly ran it again once the store was
        // back.
        String twice =
            "SELECT COUNT(*) FROM (SELECT invocation FROM runs WHERE incarnation %s "
                + last
                + " GROUP BY invocation, incarnation HAVING COUNT(*) > 1) x";
        f.runs(
            count(j, "SELECT COUNT(*) FROM runs"),
            effects.size(),
            count(j, "SELECT COUNT(*) FROM runs WHERE already_handled = 1"),
            count(j, twice.formatted("<")),
            count(j, twice.formatted("=")));
        // which kill cut the first run of each callback that ran again
        Map<FaultPoint, Integer> rerunsAfter = new EnumMap<>(FaultPoint.class);
        try (ResultSet rs =
            j.createStatement()
                .executeQuery(
                    "SELECT r.incarnation FROM runs r JOIN runs again"
                        + " ON again.invocation = r.invocation AND again.effect_new = 0 AND again.incarnation <> r.incarnation"
                        + " WHERE r.effect_new = 1")) {
          while (rs.next()) {
            FaultPoint p = killedAt.get(rs.getInt(1));
            rerunsAfter.merge(p == null ? FaultPoint.RANDOM : p, 1, Integer::sum);
          }
        }
        f.rerunsAfter(rerunsAfter);
      }
    }
  }

  private static int scanTokens(List<String> urls, Path log) throws IOException {
    Set<String> tokens = new HashSet<>();
    urls.forEach(u -> tokens.add(u.substring(u.lastIndexOf('/') + 1)));
    int found = 0;
    for (String line : Files.readAllLines(log)) {
      Matcher m = TOKEN.matcher(line);
      while (m.find()) {
        if (tokens.contains(m.group())) {
          found++;
        }
      }
    }
    return found;
  }

  private Connection connect() throws SQLException {
    return kind == StoreKind.SQLITE
        ? DriverManager.getConnection(jdbcUrl)
        : DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
  }

  private static int count(Connection c, String sql) throws SQLException {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static Map<String, Integer> groupCount(Connection c, String sql) throws SQLException {
    Map<String, Integer> out = new TreeMap<>();
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getInt(2));
      }
    }
    return out;
  }

  private static Set<String> strings(Connection c, String sql) throws SQLException {
    Set<String> out = new HashSet<>();
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private void startPostgres() {
    try {
      // synchronous_commit back on (zonky turns it off): a callback must be durable before its 2xx.
      // Never "clean":
      // zonky then deletes the data directory when it stops, and the restart after the outage would
      // find it empty.
      // (The run's directory is deleted at its start; without postgresql.conf zonky runs initdb.)
      postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir.resolve("postgres"))
              .setCleanDataDirectory(false)
              .setPort(postgresPort)
              .setServerConfig("synchronous_commit", "on")
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
  }

  private void stopPostgres() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        postgres = null;
      }
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }
}
