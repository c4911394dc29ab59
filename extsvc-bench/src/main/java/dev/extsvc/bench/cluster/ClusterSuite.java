package dev.extsvc.bench.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The cluster suite's driver (run by {@code scripts/cluster-suite}, which starts PostgreSQL and
 * builds the CLI): three {@code extsvc serve} nodes on one database, one with its clock 10 minutes
 * ahead and one 10 minutes behind; invocations made all along the run (most with the suite's
 * handler, some left to time out), their callbacks delivered by retrying senders to random nodes;
 * nodes killed and paused at random; a spec registered on one node mid-run and its callbacks sent
 * to the others; then everything checked with SQL ({@link Checks}). Exits 1 when a check fails.
 */
public final class ClusterSuite {
  static final String ACME = "Acme Mortgages";
  static final String LATE = "Acme Mortgages Registered Mid-Run";
  static final String SUBMIT = "SubmitApplication";
  static final String APPROVED = "applicationOutcomeApproved";
  static final String HANDLER_PACKAGE = "dev.extsvc.bench.cluster";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The suite's settings, from its command line. */
  record Options(
      String jdbcUrl,
      String dbUser,
      String classPath,
      @Nullable String faketimeLib,
      Path work,
      Path report,
      boolean quick,
      int seconds,
      int faults,
      double invocationsPerSecond,
      int pauseSeconds,
      int drainSeconds,
      @Nullable Path nodeYaml,
      boolean handlersYaml,
      long seed,
      int nodeCount,
      int sigtermAt) {

    static Options parse(String[] args) {
      String jdbcUrl = "";
      String user = "postgres";
      String cp = "";
      String faketime = null;
      Path work = Path.of("extsvc-bench/target/cluster");
      Path report = Path.of("extsvc-bench/target/cluster-suite.md");
      boolean quick = false;
      Integer seconds = null;
      Integer faults = null;
      double rate = 4;
      int pause = 15;
      Integer drain = null;
      Path nodeYaml = null;
      boolean handlersYaml = true;
      long seed = System.currentTimeMillis();
      int nodeCount = 3;
      int sigtermAt = 0;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> quick = true;
          case "--jdbc-url" -> jdbcUrl = args[++i];
          case "--db-user" -> user = args[++i];
          case "--class-path" -> cp = args[++i];
          case "--faketime-lib" -> faketime = args[++i];
          case "--work" -> work = Path.of(args[++i]);
          case "--report" -> report = Path.of(args[++i]);
          case "--seconds" -> seconds = Integer.parseInt(args[++i]);
          case "--faults" -> faults = Integer.parseInt(args[++i]);
          case "--rate" -> rate = Double.parseDouble(args[++i]);
          case "--pause-seconds" -> pause = Integer.parseInt(args[++i]);
          case "--drain-seconds" -> drain = Integer.parseInt(args[++i]);
          case "--node-yaml" -> nodeYaml = Path.of(args[++i]);
          case "--seed" -> seed = Long.parseLong(args[++i]);
          case "--nodes" -> nodeCount = Integer.parseInt(args[++i]);
          // the rolling-restart check: SIGTERM to the last node this many seconds into the run
          case "--sigterm-at" -> sigtermAt = Integer.parseInt(args[++i]);
          // for a build whose serve allows the handler's package some other way
          case "--no-handlers-yaml" -> handlersYaml = false;
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (jdbcUrl.isEmpty() || cp.isEmpty()) {
        throw new IllegalArgumentException("--jdbc-url and --class-path are required");
      }
      return new Options(
          jdbcUrl,
          user,
          cp,
          faketime,
          work,
          report,
          quick,
          seconds != null ? seconds : quick ? 100 : 600,
          faults != null ? faults : quick ? 8 : 36,
          rate,
          pause,
          drain != null ? drain : quick ? 150 : 300,
          nodeYaml,
          handlersYaml,
          seed,
          nodeCount,
          sigtermAt);
    }
  }

  private final Options options;
  private final Random random;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> notes = new CopyOnWriteArrayList<>();
  private final List<UUID> invocations = new CopyOnWriteArrayList<>();
  private final List<UUID> timeoutInvocations = new CopyOnWriteArrayList<>();
  private final List<UUID> lateInvocations = new CopyOnWriteArrayList<>();
  private final AtomicInteger kills = new AtomicInteger();
  private final List<Double> loadSamples = new CopyOnWriteArrayList<>();
  private final Map<String, Long> connectionPeaks = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicInteger pauses = new AtomicInteger();
  private final AtomicInteger restarts = new AtomicInteger();
  private final List<Thread> background = new CopyOnWriteArrayList<>();
  private boolean handlerMode = true;
  private boolean nodeIdOption = true;
  private String lateRegisteredOn = "";
  private volatile boolean lateWindow;
  private int lateRegisterStatus;

  ClusterSuite(Options options) {
    this.options = options;
    this.random = new Random(options.seed());
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    ClusterSuite suite = new ClusterSuite(options);
    // a driver told to stop (Ctrl-C, SIGTERM from the script) stops its nodes first
    Runtime.getRuntime().addShutdownHook(new Thread(suite::stopNodes));
    int code = suite.run();
    System.exit(code);
  }

  int run() throws Exception {
    long t0 = System.nanoTime();
    Files.createDirectories(options.work());
    Path logs = options.work().resolve("logs");
    Files.createDirectories(logs);
    Checks.Figures figures;
    try (Callouts callouts = new Callouts()) {
      try (Connection db = DriverManager.getConnection(options.jdbcUrl())) {
        // the store's schema first (Flyway) and the Acme spec, through a runtime that does nothing
        // else, so every node loads the spec at its start; then the suite's tables
        try (JdbcStore store = JdbcStore.postgres(options.jdbcUrl(), options.dbUser(), "");
            ExternalServices setup =
                ExternalServices.builder()
                    .store(store)
                    .publicBaseUrl("http://127.0.0.1:1")
                    .startSweeper(false)
                    .build()) {
          if (!setup.register(acmeSpec(), ACME).ok()) {
            throw new IllegalStateException("the Acme spec was refused");
          }
        }
        createSuiteTables(db);
      }
      Path config = options.work().resolve("node.yaml");
      List<String> extra = new ArrayList<>();
      extra.addAll(List.of("--endpoint", ACME + "=" + callouts.url()));
      extra.addAll(List.of("--endpoint", LATE + "=" + callouts.url()));
      extra.addAll(List.of("--node-id", "{node}"));
      int[] ports = {freePort(), freePort(), freePort()};
      String[] clocks = {"", "+10m", "-10m"};
      startNodes(config, extra, logs, ports, clocks);
      log(
          "nodes up: "
              + nodes.stream().map(n -> n.name + "@" + n.port + " clock " + clockName(n)).toList()
              + (handlerMode ? ", suite handler" : ", no handler (recorded callbacks)"));
      try (JdbcStore store =
              JdbcStore.postgres(
                  options.jdbcUrl() + "&ApplicationName=cluster-suite-driver",
                  options.dbUser(),
                  "");
          ExternalServices driver =
              ExternalServices.builder()
                  .store(store)
                  .publicBaseUrl(nodes.get(0).url())
                  .allowPrivateNetworks(true)
                  .endpoint(ACME, callouts.url())
                  .allowHandlerPackage(HANDLER_PACKAGE)
                  .startSweeper(false) // the driver invokes only; the nodes do everything else
                  .build();
          Senders senders = new Senders(nodes)) {
        if (driver.service(ACME).isEmpty()) {
          throw new IllegalStateException("the nodes did not register " + ACME);
        }
        long runUntil = System.nanoTime() + Duration.ofSeconds(options.seconds()).toNanos();
        Thread producer =
            Thread.ofVirtual().name("producer").start(() -> produce(driver, senders, runUntil));
        Thread faults = Thread.ofVirtual().name("faults").start(() -> faults(runUntil));
        Thread late =
            Thread.ofVirtual().name("late-spec").start(() -> lateSpec(callouts, senders, runUntil));
        Thread load = Thread.ofVirtual().name("load").start(() -> sampleLoad(runUntil));
        Thread connections =
            Thread.ofVirtual().name("connections").start(() -> sampleConnections(runUntil));
        Thread rolling =
            Thread.ofVirtual()
                .name("rolling")
                .start(
                    () -> {
                      if (options.sigtermAt() > 0) {
                        rollingRestart(senders);
                      }
                    });
        producer.join();
        faults.join();
        late.join();
        load.join();
        connections.join();
        rolling.join();
        for (Thread t : background) {
          t.join(Duration.ofSeconds(240));
        }
        log("run over; every node back up, senders draining");
        everyNodeUp();
        long drainUntil = System.nanoTime() + Duration.ofSeconds(options.drainSeconds()).toNanos();
        while (senders.inFlight() > 0 && System.nanoTime() < drainUntil) {
          Thread.sleep(500);
        }
        log("senders done (" + senders.inFlight() + " still trying); settling");
        settle(drainUntil);
        senders.close();
        for (Node n : nodes) {
          n.stop();
        }
        try (Connection db = DriverManager.getConnection(options.jdbcUrl())) {
          figures =
              new Checks(db, handlerMode)
                  .run(
                      senders,
                      invocations,
                      timeoutInvocations,
                      lateInvocations,
                      kills.get(),
                      pauses.get(),
                      restarts.get(),
                      (System.nanoTime() - t0) / 1e9);
        }
      } finally {
        for (Node n : nodes) {
          n.stop();
        }
      }
    }
    figures.notes().addAll(notes);
    if (!connectionPeaks.isEmpty()) {
      figures
          .notes()
          .add(
              "PostgreSQL connections by application_name, peak at one sample (every 1 s, all nodes"
                  + " together; busy: in a statement or a transaction, LISTEN not counted): "
                  + new java.util.TreeMap<>(connectionPeaks));
    }
    if (!loadSamples.isEmpty()) {
      figures
          .notes()
          .add(
              "machine's 1-minute load average during the faults ("
                  + Runtime.getRuntime().availableProcessors()
                  + " cores), sampled every 5 s: min / median / p90 / p99 / max "
                  + Checks.distribution(loadSamples));
    }
    figures
        .notes()
        .add(
            "spec registered mid-run on "
                + (lateRegisteredOn.isEmpty() ? "(no node)" : lateRegisteredOn)
                + ", answered "
                + lateRegisterStatus
                + "; its callbacks sent to the other nodes only");
    String table = figures.markdown(options, nodes);
    Files.createDirectories(options.report().toAbsolutePath().getParent());
    Files.writeString(options.report(), table);
    System.out.println(table);
    System.out.println("report written to " + options.report());
    return figures.failed() ? 1 : 0;
  }

  private void stopNodes() {
    for (Node n : nodes) {
      try {
        n.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts the three nodes; drops what today's build refuses (and notes it), once each. */
  private void startNodes(Path config, List<String> extra, Path logs, int[] ports, String[] clocks)
      throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 3; attempt++) {
      writeConfig(config);
      Node.Launch launch =
          new Node.Launch(
              javaBinary(),
              options.classPath(),
              options.jdbcUrl(),
              options.dbUser(),
              config,
              List.copyOf(extra),
              options.faketimeLib(),
              logs);
      Node first = new Node("node-a", ports[0], clocks[0], launch);
      first.start();
      if (first.awaitUp(http, Duration.ofSeconds(300))) {
        nodes.add(first);
        String[] names = {"node-a", "node-b", "node-c"};
        for (int i = 1; i < options.nodeCount(); i++) {
          Node n = new Node(names[i], ports[i], clocks[i], launch);
          n.start();
          nodes.add(n);
        }
        for (Node n : nodes.subList(1, nodes.size())) {
          if (!n.awaitUp(http, Duration.ofSeconds(300))) {
            throw new IllegalStateException("node " + n.name + " did not start:\n" + n.logTail(30));
          }
        }
        return;
      }
      String tail = first.logTail(10_000);
      first.kill();
      if (tail.contains("'--node-id'") && nodeIdOption) {
        nodeIdOption = false;
        int i = extra.indexOf("--node-id");
        extra.remove(i + 1);
        extra.remove(i);
        notes.add("`extsvc serve --node-id` is unknown to this build: nodes run without it");
      } else if (tail.contains("handlers") && handlerMode) {
        handlerMode = false;
        notes.add(
            "`handlers.allowedPackages` in extsvc.yaml is unknown to this build: a node cannot allow"
                + " the suite's handler type, so invocations carry no handler (callbacks recorded);"
                + " the overlap and takeover checks then have no runs to look at");
      } else {
        throw new IllegalStateException("node-a did not start:\n" + first.logTail(30));
      }
    }
    throw new IllegalStateException("the nodes did not start");
  }

  private void writeConfig(Path config) throws IOException {
    StringBuilder yaml = new StringBuilder("# written by the cluster suite\n");
    if (handlerMode && options.handlersYaml()) {
      yaml.append("handlers:\n  allowedPackages:\n    - ").append(HANDLER_PACKAGE).append('\n');
    }
    if (options.nodeYaml() != null) {
      yaml.append(Files.readString(options.nodeYaml()));
    }
    Files.writeString(config, yaml.toString());
  }

  private static String clockName(Node n) {
    return n.clockOffset.isEmpty() ? "real" : n.clockOffset;
  }

  /**
   * Invokes at the chosen rate until the run is over: nine in ten get a callback (sent after 0–2
   * s), one in ten is left to time out (15–60 s, made only while it can still time out in the run).
   */
  private void produce(ExternalServices driver, Senders senders, long runUntil) {
    long periodNanos = (long) (1e9 / options.invocationsPerSecond());
    long next = System.nanoTime();
    int i = 0;
    Random r = new Random(random.nextLong());
    while (System.nanoTime() < runUntil) {
      try {
        i++;
        boolean timeout = i % 10 == 0;
        long remaining = (runUntil - System.nanoTime()) / 1_000_000_000L;
        if (timeout && remaining < 70) {
          timeout = false;
        }
        Duration callbackTimeout =
            timeout ? Duration.ofSeconds(15 + r.nextInt(46)) : Duration.ofHours(1);
        long work = workMillis(r);
        InvocationResult result =
            driver.invoke(
                ACME,
                SUBMIT,
                RequestParts.fromJson(MAPPER.readTree(application("Applicant " + i))),
                handlerMode ? new ClusterHandler(work) : null,
                callbackTimeout);
        if (timeout) {
          timeoutInvocations.add(result.invocationId());
        } else {
          invocations.add(result.invocationId());
          String url = result.callbackUrls().get(APPROVED);
          long delay = r.nextInt(2000);
          int index = i;
          Thread.ofVirtual()
              .start(
                  () -> {
                    sleep(delay);
                    senders.send(
                        new Senders.Delivery(
                            index, result.invocationId(), URI.create(url).getRawPath(), ""));
                  });
        }
      } catch (RuntimeException | IOException e) {
        notes.add("invocation " + i + " failed in the driver: " + e.getMessage());
      }
      next += periodNanos;
      sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
    }
  }

  /** Most runs are short, some outlast the 10 s synchronous bound, a few last 12–20 s. */
  private static long workMillis(Random r) {
    int p = r.nextInt(100);
    if (p < 70) {
      return 100 + r.nextInt(1400);
    }
    if (p < 95) {
      return 2000 + r.nextInt(6000);
    }
    return 12_000 + r.nextInt(8000);
  }

  private static String application(String name) {
    return "{\"body\":{\"applicant\":{\"name\":\""
        + name
        + "\",\"address\":\"1 Main Street, Springfield\"}}}";
  }

  /**
   * Kills (SIGKILL; restarted 1–4 s later) or pauses (SIGSTOP for the pause, then SIGCONT) a node
   * chosen at random among those up, at evenly spread random moments; at most two nodes are down or
   * paused at once, so the cluster always has one node.
   */
  private void faults(long runUntil) {
    Random r = new Random(random.nextLong());
    long start = System.nanoTime();
    long span = runUntil - start - Duration.ofSeconds(10).toNanos();
    int planned = options.faults();
    for (int f = 0; f < planned; f++) {
      long at = start + Duration.ofSeconds(8).toNanos() + span * f / planned;
      at += (long) (r.nextDouble() * 0.8 * span / planned);
      sleep(Math.max(0, (at - System.nanoTime()) / 1_000_000));
      long quiet = System.nanoTime() + Duration.ofSeconds(300).toNanos();
      while (lateWindow && System.nanoTime() < quiet) {
        sleep(200); // the mid-run spec's window: no fault
      }
      restartExited();
      List<Node> up = nodes.stream().filter(n -> n.state == Node.State.UP).toList();
      long elsewhere = nodes.size() - up.size();
      if (up.isEmpty() || elsewhere >= 2) {
        // wait for a node to come back rather than skip the fault (a JVM starts slowly on a loaded
        // machine)
        long until = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (System.nanoTime() < until
            && nodes.stream().filter(n -> n.state == Node.State.UP).count() < 2) {
          sleep(200);
        }
        up = nodes.stream().filter(n -> n.state == Node.State.UP).toList();
        if (up.size() < 2) {
          notes.add("fault " + (f + 1) + " skipped: fewer than two nodes up for 240 s");
          continue;
        }
      }
      Node node = up.get(r.nextInt(up.size()));
      boolean kill = r.nextInt(100) < 60;
      long restartAfter = 1000 + r.nextInt(3000);
      // one fault failing to be injected (a signal that could not be sent, a node gone meanwhile)
      // must not end the others: noted, and the suite goes on
      try {
        if (kill) {
          kill(node, restartAfter);
        } else {
          pause(node, options.pauseSeconds());
        }
        log("fault " + (f + 1) + " of " + planned + " injected");
      } catch (RuntimeException e) {
        notes.add("fault " + (f + 1) + " not injected: " + e);
        log("fault " + (f + 1) + " of " + planned + " not injected: " + e);
      }
    }
  }

  /**
   * A node the suite counts as up whose process exited by itself (a crash, not a fault) would
   * otherwise stay counted up and be "paused" or "killed" to no effect: noted, and started again.
   */
  private void restartExited() {
    for (Node n : nodes) {
      if (n.state == Node.State.UP && n.exited()) {
        notes.add("node " + n.name + " exited by itself (not a fault): see its log; restarted");
        log("node " + n.name + " exited by itself; restarting");
        n.state = Node.State.DEAD;
        background.add(Thread.ofVirtual().start(() -> restart(n)));
      }
    }
  }

  /**
   * The rolling-restart check: SIGTERM to the last node while the senders go on; watches its
   * readiness (every 50 ms) and its answers until the process exits, then whether it deregistered
   * and how the handler runs it had in flight ended; then starts it again, as an upgrade would.
   */
  private void rollingRestart(Senders senders) {
    sleep(options.sigtermAt() * 1000L);
    Node node = nodes.get(nodes.size() - 1);
    long until = System.nanoTime() + Duration.ofSeconds(300).toNanos();
    while (node.state != Node.State.UP && System.nanoTime() < until) {
      sleep(200);
    }
    long pid = node.pid();
    long faultId = recordFault("sigterm", node, null);
    senders.watch(node.name);
    long t0 = System.nanoTime();
    node.terminate();
    log("SIGTERM " + node.name + " (pid " + pid + ")");
    Map<String, Long> readyFirstSeen = new java.util.LinkedHashMap<>();
    long exitedMs = -1;
    long lastAnswerMs = -1;
    while (System.nanoTime() - t0 < Duration.ofSeconds(90).toNanos()) {
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (node.exited()) {
        exitedMs = ms;
        break;
      }
      String answer;
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(node.url() + "/api/health/ready"))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        answer = r.statusCode() + " " + r.body().strip();
        lastAnswerMs = ms;
      } catch (IOException e) {
        answer = "no answer (" + e.getClass().getSimpleName() + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      readyFirstSeen.putIfAbsent(answer, ms);
      sleep(50);
    }
    senders.unwatch();
    StringBuilder seen = new StringBuilder();
    readyFirstSeen.forEach((a, ms) -> seen.append(a).append(" from ").append(ms).append(" ms; "));
    String deregistered;
    String runs;
    try (Connection db = DriverManager.getConnection(options.jdbcUrl())) {
      try (PreparedStatement s =
          db.prepareStatement("SELECT count(*) FROM extsvc_nodes WHERE id = ?")) {
        s.setString(1, node.name);
        try (var r = s.executeQuery()) {
          r.next();
          deregistered = r.getLong(1) == 0 ? "deregistered" : "STILL REGISTERED";
        }
      }
      try (PreparedStatement s =
          db.prepareStatement(
              "SELECT coalesce(r.outcome, 'no end'), count(*), count(*) FILTER (WHERE EXISTS (SELECT 1"
                  + " FROM cluster_runs o WHERE o.invocation_id = r.invocation_id AND o.callback_key ="
                  + " r.callback_key AND o.node <> r.node AND o.started_at > f.at)),"
                  + " max(extract(epoch FROM (coalesce(r.ended_at, clock_timestamp()) - f.at)))"
                  + " FROM cluster_runs r JOIN cluster_faults f ON f.id = ? WHERE r.node = ? AND r.pid"
                  + " = ? AND r.started_at <= f.at AND (r.ended_at IS NULL OR r.ended_at > f.at)"
                  + " GROUP BY 1 ORDER BY 1")) {
        s.setLong(1, faultId);
        s.setString(2, node.name);
        s.setLong(3, pid);
        StringBuilder b = new StringBuilder();
        try (var r = s.executeQuery()) {
          while (r.next()) {
            b.append(
                String.format(
                    "%s: %d (run again elsewhere: %d; ended up to %.1f s after SIGTERM); ",
                    r.getString(1), r.getLong(2), r.getLong(3), r.getDouble(4)));
          }
        }
        runs = b.isEmpty() ? "none" : b.toString();
      }
    } catch (SQLException e) {
      deregistered = "unknown (" + e.getMessage() + ")";
      runs = "unknown";
    }
    String report =
        "rolling restart: SIGTERM to "
            + node.name
            + "; /api/health/ready: "
            + seen
            + "last HTTP answer "
            + lastAnswerMs
            + " ms, process exited "
            + exitedMs
            + " ms after SIGTERM; its answers to callbacks meanwhile: "
            + senders.watched()
            + "; after exit: "
            + deregistered
            + "; handler runs in flight at SIGTERM by how they ended: "
            + runs;
    notes.add(report);
    log(report);
    node.state = Node.State.DEAD;
    restart(node);
  }

  /**
   * The database's connections by {@code application_name} every second until the run is over: the
   * peak open and the peak busy (running a statement, or inside a transaction) at one sample,
   * summed over the nodes: how much of each pool the load uses.
   */
  private void sampleConnections(long until) {
    String sql =
        "SELECT application_name, count(*), count(*) FILTER (WHERE state IN ('active', 'idle in"
            + " transaction') AND query NOT LIKE 'LISTEN%') FROM pg_stat_activity WHERE backend_type"
            + " = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1";
    try (Connection db = DriverManager.getConnection(options.jdbcUrl());
        PreparedStatement s = db.prepareStatement(sql)) {
      while (System.nanoTime() < until) {
        try (var r = s.executeQuery()) {
          while (r.next()) {
            String app = r.getString(1).isEmpty() ? "(none)" : r.getString(1);
            connectionPeaks.merge(app + " open", r.getLong(2), Math::max);
            connectionPeaks.merge(app + " busy", r.getLong(3), Math::max);
          }
        }
        sleep(1000);
      }
    } catch (SQLException e) {
      notes.add("connections not sampled: " + e.getMessage());
    }
  }

  /** The machine's 1-minute load average every 5 s until the run is over, from /proc/loadavg. */
  private void sampleLoad(long until) {
    while (System.nanoTime() < until) {
      try {
        String line = Files.readString(Path.of("/proc/loadavg"));
        loadSamples.add(Double.parseDouble(line.split(" ")[0]));
      } catch (IOException | RuntimeException e) {
        return; // not Linux: no figure
      }
      sleep(5000);
    }
  }

  private void kill(Node node, long restartAfterMillis) {
    try {
      recordFault("kill", node, null);
      node.kill();
      kills.incrementAndGet();
      log("kill -9 " + node.name + " (pid " + node.pid() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    background.add(
        Thread.ofVirtual()
            .start(
                () -> {
                  sleep(restartAfterMillis);
                  restart(node);
                }));
  }

  private void restart(Node node) {
    for (int attempt = 0; attempt < 3; attempt++) {
      node.start();
      try {
        if (node.awaitUp(http, Duration.ofSeconds(300))) {
          restarts.incrementAndGet();
          return;
        }
        notes.add("node " + node.name + " did not come back in 300 s; killed, started again");
        node.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void pause(Node node, int seconds) {
    long id = recordFault("pause", node, null);
    node.pause();
    pauses.incrementAndGet();
    log("SIGSTOP " + node.name + " for " + seconds + " s");
    background.add(
        Thread.ofVirtual()
            .start(
                () -> {
                  sleep(seconds * 1000L);
                  node.resume();
                  recordFault("resume", node, id);
                }));
  }

  /** Records a fault with the database's clock; returns its id. */
  private long recordFault(String kind, Node node, @Nullable Long pauseId) {
    try (Connection db = DriverManager.getConnection(options.jdbcUrl())) {
      if (pauseId != null) {
        try (PreparedStatement s =
            db.prepareStatement(
                "UPDATE cluster_faults SET until = clock_timestamp() WHERE id = ?")) {
          s.setLong(1, pauseId);
          s.executeUpdate();
        }
        return pauseId;
      }
      try (PreparedStatement s =
          db.prepareStatement(
              "INSERT INTO cluster_faults (kind, node, pid, at) VALUES (?, ?, ?, clock_timestamp())"
                  + " RETURNING id")) {
        s.setString(1, kind);
        s.setString(2, node.name);
        s.setLong(3, node.pid());
        try (var r = s.executeQuery()) {
          r.next();
          return r.getLong(1);
        }
      }
    } catch (SQLException e) {
      notes.add("could not record a " + kind + ": " + e.getMessage());
      return -1;
    }
  }

  /**
   * At 40% of the run: registers a second service (the Acme spec under another name) on one node
   * through its REST API, invokes it there (no handler: the callbacks are recorded), and sends the
   * callbacks to the other two nodes only.
   */
  private void lateSpec(Callouts callouts, Senders senders, long runUntil) {
    long start = System.nanoTime();
    sleep((runUntil - start) * 4 / 10 / 1_000_000);
    // every node up, and no fault until its callbacks are answered: the other nodes must not load
    // the new service by restarting
    lateWindow = true;
    long allUp = System.nanoTime() + Duration.ofSeconds(300).toNanos();
    while (System.nanoTime() < allUp && nodes.stream().anyMatch(n -> n.state != Node.State.UP)) {
      sleep(200);
    }
    List<Node> up = nodes.stream().filter(n -> n.state == Node.State.UP).toList();
    if (up.isEmpty()) {
      notes.add("no node up to register the mid-run spec on");
      lateWindow = false;
      return;
    }
    Node node = up.get(random.nextInt(up.size()));
    try {
      lateRegisteredOn = node.name + " (clock " + clockName(node) + ")";
      HttpResponse<String> reg = null;
      for (int attempt = 0; attempt < 10 && reg == null; attempt++) {
        long until = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (node.state != Node.State.UP && System.nanoTime() < until) {
          Thread.sleep(200);
        }
        try {
          reg =
              http.send(
                  HttpRequest.newBuilder(
                          URI.create(
                              node.url()
                                  + "/api/services?name="
                                  + URLEncoder.encode(LATE, StandardCharsets.UTF_8)))
                      .timeout(Duration.ofSeconds(30))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(acmeSpec()))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
          Thread.sleep(1000); // paused or killed under the request: registering again is harmless
        }
      }
      if (reg == null) {
        notes.add("the mid-run spec could not be registered on " + node.name);
        return;
      }
      lateRegisterStatus = reg.statusCode();
      log("registered " + LATE + " on " + node.name + ": " + reg.statusCode());
      int count = options.quick() ? 6 : 20;
      for (int i = 0; i < count; i++) {
        String name = "Late applicant " + i;
        String body =
            "{\"service\":\""
                + LATE
                + "\",\"operation\":\""
                + SUBMIT
                + "\",\"callbackTimeout\":\"PT1H\",\"request\":"
                + application(name)
                + "}";
        UUID id = invokeThere(node, body, i);
        if (id == null) {
          continue;
        }
        String url = callouts.approvedUrl(name);
        lateInvocations.add(id);
        if (url.isEmpty()) {
          notes.add("mid-run invocation " + i + ": the callout carried no approval URL");
          continue;
        }
        senders.send(new Senders.Delivery(-1 - i, id, URI.create(url).getRawPath(), node.name));
      }
      long answered = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (System.nanoTime() < answered
          && senders.outcomes.stream().filter(o -> o.delivery().index() < 0).count()
              < lateInvocations.size()) {
        Thread.sleep(200);
      }
    } catch (RuntimeException e) {
      notes.add("mid-run spec on " + node.name + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lateWindow = false;
    }
  }

  /**
   * Invokes the mid-run service through the node it was registered on, waiting (bounded) while that
   * node is paused or restarting: the invocations must come from it, and the callbacks go
   * elsewhere.
   */
  private @Nullable UUID invokeThere(Node node, String body, int i) throws InterruptedException {
    String last = "";
    for (int attempt = 0; attempt < 10; attempt++) {
      long until = System.nanoTime() + Duration.ofSeconds(300).toNanos();
      while (node.state != Node.State.UP && System.nanoTime() < until) {
        Thread.sleep(200);
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(node.url() + "/api/invocations"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return UUID.fromString(MAPPER.readTree(r.body()).path("invocationId").asText());
        }
        last = "answered " + r.statusCode() + ": " + r.body();
      } catch (IOException e) {
        last =
            e.toString(); // killed or paused under the request: an invocation may be left PENDING
      }
      Thread.sleep(1000);
    }
    notes.add("mid-run invocation " + i + " on " + node.name + " failed: " + last);
    return null;
  }

  private static String acmeSpec() throws IOException {
    for (Path p :
        List.of(
            Path.of("examples/acme-mortgages.json"), Path.of("../examples/acme-mortgages.json"))) {
      if (Files.exists(p)) {
        return Files.readString(p);
      }
    }
    throw new IOException(
        "examples/acme-mortgages.json not found from " + Path.of("").toAbsolutePath());
  }

  /** Resumes paused nodes and restarts dead ones, so the end of the run has all three. */
  private void everyNodeUp() throws InterruptedException {
    for (Node n : nodes) {
      if (n.state == Node.State.PAUSED) {
        n.resume();
      }
      if (n.exited() || n.state == Node.State.DEAD) {
        restart(n);
      }
    }
  }

  /**
   * Waits (bounded) until no delivered callback is left unfinished and every invocation left to
   * time out is past its deadline by 10 s.
   */
  private void settle(long drainUntil) throws SQLException {
    long until = Math.max(drainUntil, System.nanoTime() + Duration.ofSeconds(90).toNanos());
    try (Connection db = DriverManager.getConnection(options.jdbcUrl());
        Statement s = db.createStatement()) {
      while (System.nanoTime() < until) {
        var r =
            s.executeQuery(
                "SELECT (SELECT count(*) FROM extsvc_callbacks WHERE outcome = 'RECEIVED'),"
                    + " (SELECT count(*) FROM extsvc_invocation_state WHERE status = 'PENDING' AND"
                    + " deadline + 10000000 > (extract(epoch FROM clock_timestamp()) * 1e6)::bigint"
                    + " AND deadline < (extract(epoch FROM clock_timestamp()) * 1e6)::bigint +"
                    + " 600000000)"); // deadlines are epoch microseconds
        r.next();
        if (r.getLong(1) == 0 && r.getLong(2) == 0) {
          return;
        }
        sleep(500);
      }
      notes.add("settling stopped at its bound with callbacks unfinished or timeouts not yet due");
    }
  }

  private static void createSuiteTables(Connection db) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS cluster_runs (id bigserial PRIMARY KEY, invocation_id uuid"
              + " NOT NULL, callback_key text NOT NULL, node text NOT NULL, pid bigint NOT NULL,"
              + " fence bigint, started_at timestamptz NOT NULL, ended_at timestamptz, outcome"
              + " text)");
      // the runs' effects, each written only while the run's fence holds (ClusterHandler)
      s.execute(
          "CREATE TABLE IF NOT EXISTS cluster_effects (run_id bigint NOT NULL, at timestamptz"
              + " NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS cluster_faults (id bigserial PRIMARY KEY, kind text NOT"
              + " NULL, node text NOT NULL, pid bigint NOT NULL, at timestamptz NOT NULL, until"
              + " timestamptz)");
      // every status change of an invocation and outcome change of a callback, with the
      // database's clock: the nodes' own timestamps come from their (skewed) clocks
      s.execute(
          "CREATE TABLE IF NOT EXISTS cluster_status_log (invocation_id uuid NOT NULL, status"
              + " text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
      s.execute(
          "CREATE TABLE IF NOT EXISTS cluster_callback_log (callback_id uuid NOT NULL,"
              + " invocation_id uuid NOT NULL, outcome text NOT NULL, at timestamptz NOT NULL"
              + " DEFAULT clock_timestamp())");
      s.execute(
          "CREATE OR REPLACE FUNCTION cluster_log_status() RETURNS trigger AS $$ BEGIN IF"
              + " TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN INSERT INTO"
              + " cluster_status_log (invocation_id, status) VALUES (NEW.id, NEW.status); END"
              + " IF; RETURN NEW; END $$ LANGUAGE plpgsql");
      s.execute(
          "CREATE OR REPLACE FUNCTION cluster_log_callback() RETURNS trigger AS $$ BEGIN IF"
              + " TG_OP = 'INSERT' OR NEW.outcome IS DISTINCT FROM OLD.outcome THEN INSERT INTO"
              + " cluster_callback_log (callback_id, invocation_id, outcome) VALUES (NEW.id,"
              + " NEW.invocation_id, NEW.outcome); END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
      s.execute("DROP TRIGGER IF EXISTS cluster_status ON extsvc_invocation_state");
      s.execute(
          "CREATE TRIGGER cluster_status AFTER INSERT OR UPDATE ON extsvc_invocation_state FOR EACH"
              + " ROW EXECUTE FUNCTION cluster_log_status()");
      s.execute("DROP TRIGGER IF EXISTS cluster_callback ON extsvc_callbacks");
      s.execute(
          "CREATE TRIGGER cluster_callback AFTER INSERT OR UPDATE ON extsvc_callbacks FOR EACH"
              + " ROW EXECUTE FUNCTION cluster_log_callback()");
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  static int freePort() throws IOException {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void log(String line) {
    System.err.println("[cluster-suite " + Instant.now() + "] " + line);
  }
}
