package dev.extsvc.bench;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.support.Tokens;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The figures as users would see them: every server in a process of its own ({@code extsvc serve}
 * on each store, bare Helidon SE, the naive durable baseline on each store, the callout stand-in),
 * the load from wrk in another, and the CPU time of each process read from /proc around the timed
 * window. Each subject gets consecutive warm-up windows until its rate stops rising, then one timed
 * window. The callbacks to extsvc go to pending invocations made beforehand through the runtime
 * (real tokens, real handler), each sent once; afterwards every one of them is sent again from the
 * harness (each must answer 2xx), and the store is checked as in the in-process runs.
 */
final class OutsideLoad {
  /** A window counts as warmer than the one before when its rate is this much higher. */
  static final double RISE = 1.05;

  static final String SERVER = "server JVM";
  static final String POSTGRES = "PostgreSQL";
  static final String STAND_IN = "callout stand-in";
  static final String WRK = "wrk";
  static final List<String> PROCESSES = List.of(SERVER, POSTGRES, STAND_IN, WRK);

  /**
   * The lengths of the load.
   *
   * @param window length of one warm-up window
   * @param timed length of the timed window
   * @param minWarmup warm-up windows at least: a fresh server's JIT compiles for half a minute
   *     under this load on 2 cores, and a pause in its rise (two windows within 5 %) midway ended
   *     the warm-up of PostgreSQL's first deliveries after 15 s, where the run before had risen for
   *     35 s
   * @param maxWarmup warm-up windows at most (the rate may rise for ever on a busy machine)
   * @param firstGuess callbacks per second expected before anything is measured (sizes the first
   *     batch of pending invocations)
   * @param invocationWindow length of one warm-up window of {@code POST /api/invocations}: its rate
   *     per window is the warm-up curve the "steady state within 10 s" is judged on
   * @param invocationWindows warm-up windows of {@code POST /api/invocations} at least, so that the
   *     curve is seen past the point it flattens
   */
  record Plan(
      Duration window,
      Duration timed,
      int minWarmup,
      int maxWarmup,
      int firstGuess,
      Duration invocationWindow,
      int invocationWindows,
      boolean aotCache) {
    static Plan full() {
      // -Dbench.invocationWindows=N: a longer warm-up, to compare the steady state of two builds;
      // -Dbench.serveAot=true: serve with the launcher's opt-in AOT cache, to compare the two
      return new Plan(
          Duration.ofSeconds(5),
          Duration.ofSeconds(15),
          6,
          12,
          4000,
          Duration.ofSeconds(5),
          Integer.getInteger("bench.invocationWindows", 6),
          Boolean.getBoolean("bench.serveAot"));
    }

    static Plan quick() {
      return new Plan(
          Duration.ofSeconds(3),
          Duration.ofSeconds(5),
          1,
          3,
          2000,
          Duration.ofSeconds(5),
          3,
          Boolean.getBoolean("bench.serveAot"));
    }

    /** For the build's check that the path works: no figure of it means anything. */
    static Plan tiny() {
      // windows long enough for a cold server on a loaded machine to answer something; no AOT
      // cache: its training run (half a minute of CPU) is the CLI's test's to check
      return new Plan(
          Duration.ofSeconds(2), Duration.ofSeconds(2), 1, 1, 300, Duration.ofSeconds(2), 1, false);
    }
  }

  /**
   * One subject's figures.
   *
   * @param warmup the rates of the warm-up windows, in order
   * @param cpuMillis CPU time per request of each process, milliseconds, by {@link #PROCESSES}
   * @param loadAverage the machine's load averages at the end of the timed window
   */
  record Row(
      String subject,
      Wrk.Result timed,
      List<Double> warmup,
      long warmupRequests,
      Map<String, Double> cpuMillis,
      String loadAverage) {}

  /**
   * One store's rows, with what its check counted.
   *
   * @param checkedCallbacks callbacks sent, each answered 2xx, stored, handled and completed once
   * @param checkedInvocations invocations stored by {@code POST /api/invocations} (answered 2xx)
   */
  record StoreRows(
      StoreKind kind,
      Row first,
      Row repeats,
      Row invocations,
      Row naive,
      long checkedCallbacks,
      long checkedInvocations) {}

  /** Everything the section reports. */
  record Figures(Plan plan, List<StoreRows> stores, Row bareHelidon, Row bareCallout) {}

  /**
   * The invocation rows alone ({@code --only wrk-invocations}): each store's {@code extsvc serve}
   * started fresh for them, so their warm-up is the server's from its start.
   */
  record InvocationFigures(Plan plan, List<StoreInvocations> stores, Row bareCallout) {}

  /** One store's invocation row and how many invocations its check counted. */
  record StoreInvocations(StoreKind kind, Row invocations, long checkedInvocations) {}

  /** What one window sends: its mode, paths file and body, and what to learn from what was sent. */
  private interface Load {
    String mode();

    Path body();

    Path paths(double expectedPerSecond, Duration window);

    default void sent(Wrk.Result r) {}
  }

  private final Plan plan;
  private final Databases databases;
  private final Path work;
  private final Wrk wrk;
  private final Path callbackBody;
  private final Path logs;

  /** PostgreSQL's statements of each timed window of the store being measured, when asked for. */
  private @Nullable StatementStats statements;

  /**
   * @param logs where the measured processes write their output: outside the work directory, which
   *     the harness deletes at the end, so that a failed run's logs are still there to read
   */
  OutsideLoad(Plan plan, Databases databases, Path work, Path logs) {
    this.plan = plan;
    this.databases = databases;
    this.work = work;
    this.logs = logs;
    this.wrk = Wrk.prepare(work);
    this.callbackBody = writeBody("callback-body.json", callbackBody());
  }

  Figures measure(List<StoreKind> stores) {
    int standInPort = EndToEnd.freePort();
    String standInUrl = "http://127.0.0.1:" + standInPort;
    try (Child standIn = standIn(standInPort)) {
      List<StoreRows> rows = new ArrayList<>();
      AtomicReference<String> sentBody = new AtomicReference<>("");
      for (StoreKind kind : stores) {
        // what the store before left behind (autovacuum, write-back) must not run beside this one
        databases.settle();
        rows.add(store(kind, standInUrl, standIn.pid(), sentBody));
      }
      databases.settle();
      Row helidon = bare("bare Helidon SE", "helidon", List.of());
      return new Figures(plan, rows, helidon, bareCallout(standIn, standInUrl, sentBody.get()));
    }
  }

  /**
   * The invocation rows only: per store a fresh database and a fresh {@code extsvc serve}, loaded
   * by {@code POST /api/invocations} from its first request on, then the bare callout.
   */
  InvocationFigures measureInvocations(List<StoreKind> stores) {
    int standInPort = EndToEnd.freePort();
    String standInUrl = "http://127.0.0.1:" + standInPort;
    try (Child standIn = standIn(standInPort)) {
      List<StoreInvocations> rows = new ArrayList<>();
      AtomicReference<String> sentBody = new AtomicReference<>("");
      for (StoreKind kind : stores) {
        databases.settle();
        rows.add(invocationsOnly(kind, standInUrl, standIn.pid(), sentBody));
      }
      return new InvocationFigures(plan, rows, bareCallout(standIn, standInUrl, sentBody.get()));
    }
  }

  private Child standIn(int port) {
    return Child.java(
            "stand-in", logs, List.of(), Map.of(), BareMain.class.getName(), args("standin", port))
        .awaitListening(port, Duration.ofSeconds(60));
  }

  /** wrk straight at the stand-in with what {@code extsvc serve} sends it. */
  private Row bareCallout(Child standIn, String standInUrl, String sentBody) {
    progress("bare callout stand-in");
    String query =
        URLEncoder.encode("http://127.0.0.1:1/callbacks/" + Tokens.mint(), StandardCharsets.UTF_8);
    return measure(
        "bare callout stand-in",
        standInUrl,
        constant("callout", "/applications?callbackUrlForErrorCases=" + query, sentBody),
        Map.of(STAND_IN, () -> ProcCpu.ticks(standIn.pid())));
  }

  private StoreInvocations invocationsOnly(
      StoreKind kind, String standInUrl, long standInPid, AtomicReference<String> sentBody) {
    Databases.Fresh db = fresh(kind, "extsvc");
    int port = EndToEnd.freePort();
    String url = "http://127.0.0.1:" + port;
    Path runsFile = work.resolve("handler-runs-" + kind.name().toLowerCase(java.util.Locale.ROOT));
    try (JdbcStore store = db.openStore();
        ExternalServices services = harnessServices(store, url, standInUrl)) {
      new Pool(services, sentBody, () -> {})
          .add(1); // what the runtime sends, for the bare callout row
      try (Child serve = serve(kind, db, port, standInUrl, runsFile)) {
        Map<String, LongSupplier> cpu = cpu(serve.pid(), kind, standInPid);
        return invocations(kind, db, url, cpu);
      }
    }
  }

  /** The runtime the harness makes pending invocations with; it registers Acme in the store. */
  private static ExternalServices harnessServices(JdbcStore store, String url, String standInUrl) {
    ExternalServices services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl(url)
            .endpoint(Specs.ACME, standInUrl)
            .allowPrivateNetworks(true) // the stand-in listens on loopback
            .startSweeper(false)
            .allowHandlerPackage("dev.extsvc.bench")
            .build();
    Registration r = services.register(Specs.acme(), null);
    if (!r.ok()) {
      services.close();
      throw new IllegalStateException("Acme spec refused: " + r.report());
    }
    return services;
  }

  /**
   * After the harness made pending invocations (its own writes, not the load's): their search words
   * indexed, on PostgreSQL their tables vacuumed and analysed, then everything written back, so
   * that none of this work runs in the windows measured next.
   */
  private void quiesce(JdbcStore store, Databases.Fresh db) {
    if (db.kind() == StoreKind.POSTGRESQL) {
      store.invocations(InvocationQuery.all(1).withText("quiesce")); // a search empties the queue
      try (Connection c = db.connect();
          var statement = c.createStatement()) {
        statement.execute("VACUUM (ANALYZE)");
      } catch (SQLException e) {
        throw new IllegalStateException("cannot vacuum " + db.jdbcUrl(), e);
      }
    } else {
      // Not by a search of the harness's: its process would hold SQLite's one write lock through
      // every batch, and the server's heartbeats wait for that lock (a run failed so). The stores'
      // own indexers move the words a batch at a time, between other writes.
      awaitSearchQueueEmpty(db);
    }
    databases.writeBack();
  }

  /** Waits (at most 5 minutes) until the search queue is empty. */
  private static void awaitSearchQueueEmpty(Databases.Fresh db) {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    long queued;
    while ((queued = rows(db, "extsvc_search_pending")) > 0) {
      if (System.nanoTime() >= deadline) {
        throw new IllegalStateException(queued + " rows still in the search queue after 5 minutes");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the search queue emptied", e);
      }
    }
  }

  /**
   * {@code POST /api/invocations} in windows of {@link Plan#invocationWindow}, then the check that
   * every 2xx answer stored one invocation.
   */
  private StoreInvocations invocations(
      StoreKind kind, Databases.Fresh db, String url, Map<String, LongSupplier> cpu) {
    progress("extsvc on " + kind.label + ": POST /api/invocations");
    long before = invocationRows(db);
    Row invocations =
        measure(
            "`POST /api/invocations`, " + kind.label,
            url,
            constant("invoke", "/api/invocations", invokeRequest()),
            cpu,
            plan.invocationWindow(),
            plan.invocationWindows());
    long made = invocationRows(db) - before;
    long answered = answered(invocations);
    // a request in flight when a window ends may have been stored without its answer counted
    long windows = invocations.warmup().size() + 1;
    if (made < answered || made > answered + windows * Wrk.CONNECTIONS) {
      throw new DeliveryCheck.DeliveryFailure(
          kind.label + ": " + made + " invocations stored for " + answered + " answered 2xx");
    }
    return new StoreInvocations(kind, invocations, made);
  }

  private StoreRows store(
      StoreKind kind, String standInUrl, long standInPid, AtomicReference<String> sentBody) {
    Databases.Fresh db = fresh(kind, "extsvc");
    int port = EndToEnd.freePort();
    String url = "http://127.0.0.1:" + port;
    Path runsFile = work.resolve("handler-runs-" + kind.name().toLowerCase(java.util.Locale.ROOT));
    statements = StatementStats.of(db);
    Row first;
    Row repeats;
    StoreInvocations invocations;
    long sent;
    try (JdbcStore store = db.openStore();
        ExternalServices services = harnessServices(store, url, standInUrl)) {
      Pool pool = new Pool(services, sentBody, () -> quiesce(store, db));
      // the first window's invocations before the server starts; later ones while it idles
      pool.add((int) (plan.firstGuess() * plan.window().toSeconds() * 1.5 + 200));
      try (Child serve = serve(kind, db, port, standInUrl, runsFile)) {
        Map<String, LongSupplier> cpu = cpu(serve.pid(), kind, standInPid);
        progress("extsvc on " + kind.label + ": first deliveries");
        first = measure("extsvc, " + kind.label, url, pool, cpu);
        progress(
            "extsvc on " + kind.label + ": every callback sent again (" + pool.sent.size() + ")");
        settle(url, pool.sent, first.timed().p99Millis());
        progress("extsvc on " + kind.label + ": repeats");
        Path sentPaths = write("sent-" + kind.name() + ".txt", pool.sent);
        repeats = measure("extsvc repeats, " + kind.label, url, cycle(sentPaths), cpu);
        invocations = invocations(kind, db, url, cpu);
      }
      statements = null;
      check(db, pool.sent.size(), runsFile, kind);
      sent = pool.sent.size();
    }
    // The harness's own runtime is closed first: its upkeep (search indexing, pools reconnecting to
    // the database settle() drops) would otherwise run beside the naive baseline.
    databases.settle();
    Row naive = naive(kind);
    return new StoreRows(
        kind,
        first,
        repeats,
        invocations.invocations(),
        naive,
        sent,
        invocations.checkedInvocations());
  }

  /** Every answered request of the subject's windows, warm-up included (all were 2xx). */
  private static long answered(Row row) {
    return row.timed().requests() + row.warmupRequests();
  }

  private Map<String, LongSupplier> cpu(long serverPid, StoreKind kind, long standInPid) {
    Map<String, LongSupplier> cpu = new LinkedHashMap<>();
    cpu.put(SERVER, () -> ProcCpu.ticks(serverPid));
    if (kind == StoreKind.POSTGRESQL) {
      long postmaster = databases.postmasterPid();
      cpu.put(POSTGRES, () -> ProcCpu.treeTicks(postmaster));
    }
    cpu.put(STAND_IN, () -> ProcCpu.ticks(standInPid));
    return cpu;
  }

  private Child serve(
      StoreKind kind, Databases.Fresh db, int port, String standInUrl, Path runsFile) {
    Path config =
        write(
            "extsvc-" + kind.name() + ".yaml",
            List.of("handlers:", "  allowedPackages:", "    - dev.extsvc.bench"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "serve",
                "--config",
                config.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--endpoint",
                Specs.ACME + "=" + standInUrl));
    Map<String, String> env = new LinkedHashMap<>();
    Path file = db.file();
    if (file != null) {
      args.addAll(List.of("--data", String.valueOf(file.getParent())));
    } else {
      args.addAll(List.of("--postgres-url", db.jdbcUrl(), "--postgres-user", "postgres"));
      env.put("EXTSVC_DB_PASSWORD", "postgres");
    }
    List<String> jvm = new ArrayList<>(serverJavaOpts());
    jvm.add("-Dbench.handlerRuns=" + runsFile.toAbsolutePath());
    // As users start it: the launcher, on the harness's JDK, the harness's handler on the class
    // path; with -Dbench.serveAot=true, with the launcher's opt-in AOT cache of serve, built before
    // the first start.
    env.put("JAVA_HOME", System.getProperty("java.home"));
    if (plan.aotCache()) {
      env.put("EXTSVC_SERVE_AOT", "on");
      env.put("EXTSVC_AOT", "wait");
    } else {
      env.put("EXTSVC_AOT", "off");
    }
    env.put("EXTSVC_CACHE_DIR", work.resolve("aot-cache").toString());
    env.put("EXTSVC_CLASSPATH", handlerClassPath());
    env.put("EXTSVC_JAVA_OPTS", String.join(" ", jvm));
    List<String> command = new ArrayList<>(List.of(launcher().toString()));
    command.addAll(args);
    return Child.command("extsvc-serve-" + kind.name(), logs, command, env)
        .awaitHealthy("http://127.0.0.1:" + port + "/api/health", Duration.ofSeconds(300));
  }

  /**
   * {@code ./extsvc} of this repository: scripts/bench runs from its root, the build's test from
   * the module's directory.
   */
  private static Path launcher() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path launcher = d.resolve("extsvc");
      if (Files.isRegularFile(launcher) && Files.isRegularFile(d.resolve("mvnw"))) {
        return launcher;
      }
    }
    throw new IllegalStateException("no ./extsvc launcher above " + Path.of("").toAbsolutePath());
  }

  /** Where the harness's handler class is: all that serve needs beside extsvc's own jar. */
  private static String handlerClassPath() {
    try {
      return Path.of(BenchHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("the harness's classes are not in a file", e);
    }
  }

  /**
   * Extra JVM flags for the {@code extsvc serve} children, from {@code BENCH_SERVER_JAVA_OPTS} (a
   * JFR recording, say), split at white space.
   */
  static List<String> serverJavaOpts() {
    String opts = System.getenv("BENCH_SERVER_JAVA_OPTS");
    return opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
  }

  private Row naive(StoreKind kind) {
    Databases.Fresh db = fresh(kind, "naive");
    Map<String, String> env = new LinkedHashMap<>();
    List<String> dbArgs;
    Path file = db.file();
    if (file != null) {
      dbArgs = List.of(file.toString());
    } else {
      dbArgs = List.of(db.jdbcUrl(), "postgres");
      env.put("BENCH_DB_PASSWORD", "postgres");
    }
    return bare(
        "naive baseline, " + kind.label,
        kind == StoreKind.SQLITE ? "naive-sqlite" : "naive-postgres",
        dbArgs,
        env,
        kind);
  }

  private Row bare(String subject, String mode, List<String> extra) {
    return bare(subject, mode, extra, Map.of(), null);
  }

  private Row bare(
      String subject,
      String mode,
      List<String> extra,
      Map<String, String> env,
      @org.jspecify.annotations.Nullable StoreKind kind) {
    progress(subject);
    int port = EndToEnd.freePort();
    List<String> args = new ArrayList<>(args(mode, port));
    args.addAll(extra);
    try (Child server =
        Child.java(subject, logs, List.of(), env, BareMain.class.getName(), args)
            .awaitListening(port, Duration.ofSeconds(60))) {
      Map<String, LongSupplier> cpu = new LinkedHashMap<>();
      cpu.put(SERVER, () -> ProcCpu.ticks(server.pid()));
      if (kind == StoreKind.POSTGRESQL) {
        long postmaster = databases.postmasterPid();
        cpu.put(POSTGRES, () -> ProcCpu.treeTicks(postmaster));
      }
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        paths.add("/callbacks/" + Tokens.mint());
      }
      return measure(
          subject, "http://127.0.0.1:" + port, cycle(write(mode + "-paths.txt", paths)), cpu);
    }
  }

  /** Warm-up windows until the rate stops rising, then the timed one with the processes' CPU. */
  private Row measure(String subject, String url, Load load, Map<String, LongSupplier> cpu) {
    return measure(subject, url, load, cpu, plan.window(), plan.minWarmup());
  }

  /**
   * As above, with windows of the given length, at least {@code minWindows} of them (and at most
   * the plan's maximum or that, whichever is more).
   */
  private Row measure(
      String subject,
      String url,
      Load load,
      Map<String, LongSupplier> cpu,
      Duration windowLength,
      int minWindows) {
    List<Double> rates = new ArrayList<>();
    long warmupRequests = 0;
    double rate = plan.firstGuess();
    for (int w = 0; w < Math.max(plan.maxWarmup(), minWindows); w++) {
      Wrk.Result r = window(subject, url, load, windowLength, rate);
      rate = r.perSecond();
      rates.add(rate);
      warmupRequests += r.requests();
      if (w > 0 && w + 1 >= minWindows && rate < rates.get(w - 1) * RISE) {
        break;
      }
    }
    StatementStats stats = statements;
    Map<String, Long> before = new LinkedHashMap<>();
    // From the moment wrk starts: the pending invocations the window needs are made before, by the
    // harness on the same database, and their CPU is not the server's.
    Wrk.Result timed =
        window(
            subject,
            url,
            load,
            plan.timed(),
            rate,
            () -> {
              if (stats != null) {
                stats.reset();
              }
              before.clear();
              cpu.forEach((k, v) -> before.put(k, v.getAsLong()));
            });
    if (stats != null) {
      stats.write(subject, timed.requests());
    }
    Map<String, Double> millis = new LinkedHashMap<>();
    cpu.forEach(
        (k, v) ->
            millis.put(k, perRequest(v.getAsLong() - Stat.known(before, k), timed.requests())));
    millis.put(WRK, perRequest(timed.cpuTicks(), timed.requests()));
    Row row =
        new Row(subject, timed, List.copyOf(rates), warmupRequests, millis, Machine.loadAverage());
    progress(
        String.format(
            java.util.Locale.ROOT,
            "%s: %.0f/s (warm-up %s), p99 %.1f ms",
            subject,
            timed.perSecond(),
            rates.stream().map(x -> String.format(java.util.Locale.ROOT, "%.0f", x)).toList(),
            timed.p99Millis()));
    return row;
  }

  private static double perRequest(long ticks, long requests) {
    return ticks / ProcCpu.TICKS_PER_SECOND * 1000 / Math.max(1, requests);
  }

  /** One window; measured again (at most twice) when a "once" load ran out of paths. */
  private Wrk.Result window(String subject, String url, Load load, Duration length, double rate) {
    return window(subject, url, load, length, rate, () -> {});
  }

  /**
   * As above; {@code atStart} runs right before wrk starts, once the load's paths are ready (and
   * the invocations they needed made), before each try.
   */
  private Wrk.Result window(
      String subject, String url, Load load, Duration length, double rate, Runnable atStart) {
    double expected = rate;
    for (int attempt = 0; ; attempt++) {
      Path paths = load.paths(expected, length);
      atStart.run();
      Wrk.Result r = wrk.run(url, load.mode(), paths, load.body(), length);
      load.sent(r);
      if (r.non2xx() > 0 || r.socketErrors() > 0) {
        throw new DeliveryCheck.DeliveryFailure(
            subject
                + ": "
                + r.non2xx()
                + " answers not 2xx and "
                + r.socketErrors()
                + " socket errors of "
                + r.requests()
                + " (see "
                + logs
                + ")");
      }
      if (r.overrun() == 0) {
        return r;
      }
      if (attempt == 2) {
        throw new IllegalStateException(
            subject + ": wrk ran out of pending callbacks three times; the rate is not measured");
      }
      expected = Math.max(expected, r.perSecond()) * 2;
    }
  }

  /** Cycles over a fixed file of paths with the callback body. */
  private Load cycle(Path paths) {
    Path body = callbackBody;
    return new Load() {
      @Override
      public String mode() {
        return "cycle";
      }

      @Override
      public Path body() {
        return body;
      }

      @Override
      public Path paths(double expectedPerSecond, Duration window) {
        return paths;
      }
    };
  }

  /** The same request over and over. */
  private Load constant(String name, String path, String body) {
    Path paths = write(name + "-path.txt", List.of(path));
    Path bodyFile = writeBody(name + "-body.json", body);
    return new Load() {
      @Override
      public String mode() {
        return "cycle";
      }

      @Override
      public Path body() {
        return bodyFile;
      }

      @Override
      public Path paths(double expectedPerSecond, Duration window) {
        return paths;
      }
    };
  }

  /**
   * Pending invocations made through the runtime, their callback paths handed out once each: every
   * window gets a file of paths not sent yet (made when too few are left), and what wrk sent of it
   * is moved to {@link #sent}.
   */
  private final class Pool implements Load {
    private final ExternalServices services;
    private final AtomicReference<String> sentBody;
    private final Runnable afterAdd;
    private List<String> unsent = new ArrayList<>();
    private List<String> offered = List.of();
    final List<String> sent = new ArrayList<>();
    private int made;
    private int files;

    /** {@code afterAdd} runs after each batch of invocations the pool makes. */
    Pool(ExternalServices services, AtomicReference<String> sentBody, Runnable afterAdd) {
      this.services = services;
      this.sentBody = sentBody;
      this.afterAdd = afterAdd;
    }

    @Override
    public String mode() {
      return "once";
    }

    @Override
    public Path body() {
      return callbackBody;
    }

    /** Makes {@code n} more pending invocations, 64 at a time, through the runtime. */
    void add(int n) {
      String[] paths = new String[n];
      int base = made;
      LoadGenerator load =
          new LoadGenerator(
              LoadGenerator.newClient(), Settings.CONCURRENCY, Duration.ofMinutes(30));
      EndToEnd.expectComplete(
          "pending invocations",
          load.run(
              n,
              i -> {
                RequestParts input =
                    RequestParts.fromJson(Json.readTrusted(Specs.applicationJson(base + i)));
                InvocationResult result =
                    services.invoke(
                        Specs.ACME, Specs.SUBMIT, input, new BenchHandler("A" + (base + i)), null);
                paths[i] =
                    URI.create(Stat.known(result.callbackUrls(), Specs.APPROVED)).getRawPath();
                if (base + i == 0) {
                  sentBody.set(String.valueOf(result.sentRequest().body()));
                }
                return result.statusCode();
              }));
      made += n;
      unsent.addAll(List.of(paths));
      afterAdd.run();
    }

    @Override
    public Path paths(double expectedPerSecond, Duration window) {
      int need = (int) Math.min(2_000_000, expectedPerSecond * window.toSeconds() * 1.5 + 200);
      if (unsent.size() < need) {
        progress("  " + (need - unsent.size()) + " more pending invocations");
        add(need - unsent.size());
      }
      offered = List.copyOf(unsent.subList(0, need));
      return write("once-" + (++files) + ".txt", offered);
    }

    /** Thread t of n took lines t, t + n, ...: the first {@code sent} of them went out. */
    @Override
    public void sent(Wrk.Result r) {
      boolean[] out = new boolean[offered.size()];
      for (Wrk.ThreadSent t : r.threads()) {
        long k = 0;
        for (int line = t.id(); line < offered.size() && k < t.sent(); line += Wrk.THREADS, k++) {
          out[line] = true;
        }
      }
      List<String> left = new ArrayList<>();
      for (int i = 0; i < offered.size(); i++) {
        (out[i] ? sent : left).add(offered.get(i));
      }
      left.addAll(unsent.subList(offered.size(), unsent.size()));
      unsent = left;
      offered = List.of();
    }
  }

  /**
   * Every callback wrk sent, sent once more from the harness (a request wrk left in flight at the
   * end of a window may or may not have arrived): each must now answer 2xx, as a repeat of a
   * handled callback or as its first delivery.
   */
  private void settle(String url, List<String> paths, double p99Millis) {
    try {
      // what a window left in flight ends first (slow answers on a loaded machine too)
      Thread.sleep(Math.max(2000, (long) (3 * p99Millis)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String body = callbackBody();
    List<LoadGenerator.Shot> shots =
        paths.stream().map(p -> new LoadGenerator.Shot(URI.create(url + p), body)).toList();
    LoadGenerator load =
        new LoadGenerator(LoadGenerator.newClient(), Settings.CONCURRENCY, Duration.ofMinutes(30));
    LoadGenerator.Result r = load.run(shots);
    if (r.ok() != paths.size()) {
      throw new DeliveryCheck.DeliveryFailure(
          r.ok()
              + " of "
              + paths.size()
              + " callbacks sent again answered 2xx (statuses "
              + r.statuses()
              + ", errors "
              + r.errors()
              + ")");
    }
  }

  /** The delivery check of the in-process runs, with the handler's runs from the server's file. */
  private static void check(Databases.Fresh db, int sent, Path runsFile, StoreKind kind) {
    long runs;
    try {
      runs = Files.exists(runsFile) ? Long.parseLong(Files.readString(runsFile).trim()) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StoreTally tally;
    try (Connection c = db.connect()) {
      tally = StoreTally.read(c);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read back " + db.jdbcUrl(), e);
    }
    new DeliveryCheck(sent, sent, runs, tally).verify("extsvc serve on " + kind.label);
  }

  private static long invocationRows(Databases.Fresh db) {
    return rows(db, "extsvc_invocations");
  }

  private static long rows(Databases.Fresh db, String table) {
    try (Connection c = db.connect();
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count " + table + " in " + db.jdbcUrl(), e);
    }
  }

  private Databases.Fresh fresh(StoreKind kind, String name) {
    if (kind == StoreKind.POSTGRESQL) {
      return databases.fresh(kind);
    }
    // extsvc serve takes a data directory and opens extsvc.db in it
    Path file =
        work.resolve(name + "-" + EndToEnd.freePort()).resolve("extsvc.db").toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Databases.Fresh(kind, "jdbc:sqlite:" + file, file);
  }

  private Path write(String name, List<String> lines) {
    Path p = work.resolve(name);
    try {
      Files.createDirectories(work);
      Files.write(p, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** A body as it is sent: byte for byte, no line end added (a repeat must be the same bytes). */
  private Path writeBody(String name, String body) {
    Path p = work.resolve(name);
    try {
      Files.createDirectories(work);
      Files.writeString(p, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  private static List<String> args(String mode, int port) {
    return List.of(mode, Integer.toString(port));
  }

  /**
   * What {@code POST /api/invocations} gets: Acme's SubmitApplication, as a client would send it.
   */
  static String invokeRequest() {
    return "{\"service\":\""
        + Specs.ACME
        + "\",\"operation\":\""
        + Specs.SUBMIT
        + "\",\"request\":"
        + Specs.applicationJson(1)
        + "}";
  }

  /**
   * The approved callback's body, about 1 KB: the schema's fields and a note, valid for the key
   * (its schema allows more properties).
   */
  static String callbackBody() {
    StringBuilder note = new StringBuilder();
    while (note.length() < 860) {
      note.append("Approved subject to a valuation of the property and proof of income. ");
    }
    return "{\"applicationNumber\":\"A-1001\",\"status\":\"approved\",\"approvedAmount\":350000,"
        + "\"note\":\""
        + note.substring(0, 860)
        + "\"}";
  }

  private static void progress(String what) {
    System.err.println("[bench] " + what);
  }
}
