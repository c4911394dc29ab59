package dev.extsvc.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** The tables of the outside load (wrk in its own process), in markdown. */
final class OutsideReport {
  private final StringBuilder md = new StringBuilder();

  private OutsideReport() {}

  static String of(OutsideLoad.Figures f, String loadBefore) {
    OutsideReport r = new OutsideReport();
    r.write(f, loadBefore);
    return r.md.toString();
  }

  /** The section of a run of the invocation rows alone ({@code --only wrk-invocations}). */
  static String invocations(OutsideLoad.InvocationFigures f, String loadBefore) {
    OutsideReport r = new OutsideReport();
    r.line("## Invocations alone, load from wrk in its own process");
    r.line();
    r.line(
        "As in the invocations table of the full wrk section, but each store's `extsvc serve` is"
            + " started fresh for this row alone (no callbacks before it), so the rates per window"
            + " are its warm-up from its first request. Load average before: "
            + loadBefore
            + ".");
    r.line();
    List<OutsideLoad.Row> rows = new ArrayList<>();
    f.stores().forEach(s -> rows.add(s.invocations()));
    r.invocationTable(rows, f.bareCallout(), f.plan());
    List<String> checked = new ArrayList<>();
    for (OutsideLoad.StoreInvocations s : f.stores()) {
      checked.add(s.kind().label + ": " + Stat.number(s.checkedInvocations(), 0) + " invocations");
    }
    r.line("Checked after the run: " + String.join("; ", checked) + ".");
    r.line();
    return r.md.toString();
  }

  /**
   * The invocation rows beside the bare callout, then per row its rate per warm-up window and when
   * it was steady.
   */
  private void invocationTable(
      List<OutsideLoad.Row> rows, OutsideLoad.Row callout, OutsideLoad.Plan plan) {
    List<Line> invocations = new ArrayList<>();
    rows.forEach(row -> invocations.add(new Line(row, callout, null)));
    invocations.add(new Line(callout, null, null));
    table(invocations, "/ bare callout", "", true);
    long seconds = plan.invocationWindow().toSeconds();
    for (OutsideLoad.Row row : rows) {
      List<Double> rates = row.warmup();
      StringBuilder b =
          new StringBuilder(row.subject() + ", requests/s per " + seconds + " s window");
      b.append(" of load:");
      for (int w = 0; w < rates.size(); w++) {
        b.append(w == 0 ? " " : ", ")
            .append(w * seconds)
            .append('–')
            .append((w + 1) * seconds)
            .append(" s ")
            .append(Stat.number(rates.get(w), 0));
      }
      java.time.Duration steady =
          Targets.steadyWithin(rates, row.timed().perSecond(), plan.invocationWindow());
      b.append(
          steady == null
              ? "; still rising at the end of the warm-up."
              : "; steady after "
                  + steady.toSeconds()
                  + " s (no later window, nor the timed run, "
                  + Math.round((OutsideLoad.RISE - 1) * 100)
                  + " % or more above it).");
      line("- " + b);
    }
    line();
  }

  private void write(OutsideLoad.Figures f, String loadBefore) {
    OutsideLoad.Plan p = f.plan();
    line("## Callback ingest and invocations, load from wrk in its own process");
    line();
    line(
        "Every server runs in a JVM of its own, started by the harness with the JDK it runs on and"
            + " stopped by its pid: `extsvc serve` on SQLite and on PostgreSQL, started as users"
            + " start it, by the launcher (`./extsvc serve`, the harness's handler class in"
            + " `EXTSVC_CLASSPATH`, "
            + (p.aotCache()
                ? "with the JDK's ahead-of-time cache the launcher builds for `serve` when asked"
                    + " (`EXTSVC_SERVE_AOT=on`), once, before"
                    + " its first start, from a training run of 20 s of invocations and callbacks on a"
                    + " scratch SQLite store; from JDK 25 on the cache also holds the methods' profiles"
                    + " of that run"
                : "without the launcher's ahead-of-time cache: `EXTSVC_AOT=off`")
            + "; PostgreSQL is the embedded one the harness starts, `synchronous_commit` on), bare Helidon SE"
            + " (reads the body, answers 200), the naive durable baseline on the same store (one INSERT and"
            + " one COMMIT per request; SQLite in WAL mode with `synchronous=FULL` through one connection,"
            + " PostgreSQL through a pool of "
            + BareMain.POSTGRES_POOL
            + ") and the callout stand-in (Helidon SE answering 201 as Acme would; `extsvc serve` calls out to it)."
            + " The load comes from `wrk -t"
            + Wrk.THREADS
            + " -c"
            + Wrk.CONNECTIONS
            + "` with the harness's Lua script (`extsvc-bench/src/main/resources/wrk/paths.lua`), over"
            + " loopback on the same machine. Callbacks carry a "
            + OutsideLoad.callbackBody().length()
            + "-byte JSON body valid for `applicationOutcomeApproved`.");
    line();
    line(
        "First deliveries go to pending Acme invocations made beforehand through `ExternalServices.invoke`"
            + " on the same store (real tokens, the harness's handler, stored as type + state and re-created"
            + " by the server), between windows as a window needs more; after each such batch, before the next"
            + " window, the batch's search words are indexed (on PostgreSQL by a search through the store, on"
            + " SQLite by the stores' own indexers, awaited), PostgreSQL's tables"
            + " vacuumed and analysed (`VACUUM (ANALYZE)`) and everything written back, so that the"
            + " harness's own writes leave no work to run in the windows: wrk sends each callback URL once. Afterwards every URL wrk sent is sent once more"
            + " from the harness and must answer 2xx, then the store is read with plain SQL: every callback"
            + " stored once, HANDLED, its invocation COMPLETED, the handler run once (counted in the server"
            + " process); `POST /api/invocations` must have stored one invocation per 2xx answer. The run fails"
            + " otherwise, and on any answer wrk saw that was not 2xx.");
    line();
    line(
        "Warm-up: consecutive windows of "
            + p.window().toSeconds()
            + " s on the same server, at least "
            + p.minWarmup()
            + " of them (a fresh server's JIT compiles for about half a minute under this load), until a"
            + " window's rate is less than "
            + Math.round((OutsideLoad.RISE - 1) * 100)
            + " % above the one before (at most "
            + p.maxWarmup()
            + " windows; the rates are in the warm-up column), then one timed window of "
            + p.timed().toSeconds()
            + " s. Latencies are wrk's distribution over the timed window. CPU per request is the"
            + " difference of utime + stime in /proc/PID/stat over the timed window (from the moment wrk"
            + " starts, after the harness made the invocations it needs) divided by the requests"
            + " answered in it: the server's JVM, PostgreSQL (the postmaster and all its children: backends,"
            + " WAL writer, checkpointer), the callout stand-in's JVM and wrk itself. Ratios are of requests/s"
            + " in this run. Before each store's rows, its naive baseline and bare Helidon, the databases"
            + " of the rows before are dropped, PostgreSQL checkpointed and every dirty page written out (`sync`), so that"
            + " their autovacuum and write-back do not run beside the next server.");
    line();
    line(
        "**The machine is shared**: other builds ran beside this run (load average before: "
            + loadBefore
            + "; the last column gives it at the end of each timed window), so the figures vary from run"
            + " to run; the ratios, taken minutes apart, are steadier than the rates.");
    line();

    OutsideLoad.Row helidon = f.bareHelidon();
    line("### Callback ingest, first delivery");
    line();
    List<Line> first = new ArrayList<>();
    for (OutsideLoad.StoreRows s : f.stores()) {
      first.add(new Line(s.first(), helidon, s.naive()));
      first.add(new Line(s.naive(), helidon, null));
    }
    first.add(new Line(helidon, null, null));
    table(first, "/ bare Helidon", "/ naive baseline", false);

    line("### Callback ingest, repeats of handled callbacks");
    line();
    line(
        "The same server after the first deliveries: wrk goes round the URLs already handled (each answer"
            + " 200 without running the handler again). The bare and naive rows are those above.");
    line();
    List<Line> repeats = new ArrayList<>();
    for (OutsideLoad.StoreRows s : f.stores()) {
      repeats.add(new Line(s.repeats(), helidon, s.naive()));
    }
    table(repeats, "/ bare Helidon", "/ naive baseline", false);

    line("### Invocations: `POST /api/invocations`");
    line();
    line(
        "Acme's `SubmitApplication` through the REST API of the same server (validate, persist with its"
            + " tokens, inject three callback URLs, call out to the stand-in, record the answer), beside wrk"
            + " sending what `extsvc serve` sends straight to the stand-in. Its warm-up windows are "
            + p.invocationWindow().toSeconds()
            + " s each, at least "
            + p.invocationWindows()
            + " of them.");
    line();
    List<OutsideLoad.Row> invocations = new ArrayList<>();
    f.stores().forEach(s -> invocations.add(s.invocations()));
    invocationTable(invocations, f.bareCallout(), p);

    List<String> checked = new ArrayList<>();
    for (OutsideLoad.StoreRows s : f.stores()) {
      checked.add(
          s.kind().label
              + ": "
              + Stat.number(s.checkedCallbacks(), 0)
              + " callbacks, "
              + Stat.number(s.checkedInvocations(), 0)
              + " invocations");
    }
    line("Checked after the run: " + String.join("; ", checked) + ".");
    line();
  }

  /** A row with what its ratios divide by. */
  private record Line(
      OutsideLoad.Row row, OutsideLoad.@Nullable Row base, OutsideLoad.@Nullable Row naive) {}

  private void table(List<Line> lines, String baseName, String naiveName, boolean standIn) {
    List<String> cpu = new ArrayList<>(List.of(OutsideLoad.SERVER, OutsideLoad.POSTGRES));
    if (standIn) {
      cpu.add(OutsideLoad.STAND_IN);
    }
    cpu.add(OutsideLoad.WRK);
    StringBuilder head =
        new StringBuilder(
            "| server | requests/s | p50 ms | p99 ms | warm-up, requests/s per window |");
    StringBuilder rule = new StringBuilder("|---|---:|---:|---:|---|");
    for (String c : cpu) {
      head.append(" CPU ms/req, ").append(c).append(" |");
      rule.append("---:|");
    }
    head.append(' ').append(baseName).append(" |");
    rule.append("---:|");
    if (!naiveName.isEmpty()) {
      head.append(' ').append(naiveName).append(" |");
      rule.append("---:|");
    }
    head.append(" load average at the end |");
    rule.append("---|");
    line(head.toString());
    line(rule.toString());
    for (Line l : lines) {
      OutsideLoad.Row r = l.row();
      StringBuilder b = new StringBuilder("| " + r.subject() + " | ");
      b.append(Stat.number(r.timed().perSecond(), 0)).append(" | ");
      b.append(Stat.number(r.timed().p50Millis(), 2)).append(" | ");
      b.append(Stat.number(r.timed().p99Millis(), 1)).append(" | ");
      b.append(warmup(r.warmup())).append(" |");
      for (String c : cpu) {
        Double ms = r.cpuMillis().get(c);
        b.append(' ').append(ms == null ? "—" : cpuMillis(ms)).append(" |");
      }
      b.append(' ').append(ratio(r, l.base())).append(" |");
      if (!naiveName.isEmpty()) {
        b.append(' ').append(ratio(r, l.naive())).append(" |");
      }
      b.append(' ').append(r.loadAverage()).append(" |");
      line(b.toString());
    }
    line();
  }

  private static String warmup(List<Double> rates) {
    Function<Double, String> n = x -> Stat.number(x, 0);
    return rates.size() + ": " + String.join(" → ", rates.stream().map(n).toList());
  }

  private static String cpuMillis(double ms) {
    return String.format(Locale.ROOT, ms < 0.1 ? "%.3f" : "%.2f", ms);
  }

  private static String ratio(OutsideLoad.Row r, OutsideLoad.@Nullable Row base) {
    if (base == null) {
      return "—";
    }
    return Stat.number(100 * r.timed().perSecond() / base.timed().perSecond(), 1) + " %";
  }

  private void line(String text) {
    md.append(text).append('\n');
  }

  private void line() {
    md.append('\n');
  }
}
