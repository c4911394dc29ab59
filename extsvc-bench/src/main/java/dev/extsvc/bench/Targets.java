package dev.extsvc.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The targets of issue 17 ("the write path at the speed of the database"), each judged met or not
 * met from this run's figures, as one table at the end of docs/benchmarks.md. When this run wrote
 * only some sections into the document, the targets of the others are kept from the run before
 * ({@link #withKeptRows}).
 */
final class Targets {
  /** One target: what the issue asks, what this run measured, and whether that meets it. */
  record Target(String what, String measured, @Nullable Boolean met) {}

  /** The limit for reaching the steady state ({@link #steadyWithin}). */
  static final Duration WARMUP_LIMIT = Duration.ofSeconds(10);

  private final List<Target> targets = new ArrayList<>();

  void outsideLoad(OutsideLoad.Figures f) {
    double helidon = f.bareHelidon().timed().perSecond();
    double callout = f.bareCallout().timed().perSecond();
    for (OutsideLoad.StoreRows s : f.stores()) {
      double first = s.first().timed().perSecond();
      double naive = s.naive().timed().perSecond();
      double invocations = s.invocations().timed().perSecond();
      if (s.kind() == StoreKind.SQLITE) {
        add(
            "callback ingest, first delivery, SQLite ≥ 20 % of bare Helidon",
            percent(first / helidon), first / helidon >= 0.20);
        add(
            "invocations, SQLite ≥ 15 % of the bare callout",
            percent(invocations / callout), invocations / callout >= 0.15);
      } else {
        add(
            "callback ingest, first delivery, PostgreSQL ≥ 1.5× the naive PostgreSQL baseline",
            Stat.number(first / naive, 2) + "×",
            first / naive >= 1.5);
        add(
            "callback ingest, first delivery, PostgreSQL ≥ 8 % of bare Helidon",
            percent(first / helidon), first / helidon >= 0.08);
        Double pgCpu = s.first().cpuMillis().get(OutsideLoad.POSTGRES);
        add(
            "PostgreSQL server CPU per callback ≤ 0.2 ms",
            pgCpu == null ? "not measured" : Stat.number(pgCpu, 3) + " ms",
            pgCpu == null ? null : pgCpu <= 0.2);
        add(
            "invocations, PostgreSQL ≥ 8 % of the bare callout",
            percent(invocations / callout), invocations / callout >= 0.08);
      }
      steadyState(s.kind(), s.invocations(), f.plan());
    }
  }

  /** The invocation targets of a run of the invocation rows alone. */
  void invocations(OutsideLoad.InvocationFigures f) {
    double callout = f.bareCallout().timed().perSecond();
    for (OutsideLoad.StoreInvocations s : f.stores()) {
      double invocations = s.invocations().timed().perSecond();
      if (s.kind() == StoreKind.SQLITE) {
        add(
            "invocations, SQLite ≥ 15 % of the bare callout",
            percent(invocations / callout), invocations / callout >= 0.15);
      } else {
        add(
            "invocations, PostgreSQL ≥ 8 % of the bare callout",
            percent(invocations / callout), invocations / callout >= 0.08);
      }
      steadyState(s.kind(), s.invocations(), f.plan());
    }
  }

  private void steadyState(StoreKind kind, OutsideLoad.Row invocations, OutsideLoad.Plan plan) {
    Duration window = plan.invocationWindow();
    Duration steady = steadyWithin(invocations.warmup(), invocations.timed().perSecond(), window);
    add(
        "invocations, " + kind.label + ": steady state within 10 s",
        steady == null
            ? "still rising after "
                + invocations.warmup().size() * window.toSeconds()
                + " s ("
                + rates(invocations.warmup())
                + ")"
            : "within " + steady.toSeconds() + " s (" + rates(invocations.warmup()) + ")",
        steady != null && steady.compareTo(WARMUP_LIMIT) <= 0);
  }

  /**
   * When the rate stopped rising: the end of the first warm-up window above which no later window,
   * nor the timed run, rose by {@link OutsideLoad#RISE} or more; null if there is none. A pause in
   * the rise (a window barely above the one before, then a climb again) is not a steady state.
   */
  static @Nullable Duration steadyWithin(List<Double> rates, double timed, Duration window) {
    for (int w = 0; w < rates.size(); w++) {
      double limit = rates.get(w) * OutsideLoad.RISE;
      boolean held = timed < limit;
      for (int later = w + 1; held && later < rates.size(); later++) {
        held = rates.get(later) < limit;
      }
      if (held) {
        return window.multipliedBy(w + 1);
      }
    }
    return null;
  }

  void waiting(Settings s, Map<StoreKind, Waiting.Figures> figures) {
    boolean full = s.pending() >= 1_000_000 && s.sweep() >= 100_000;
    figures.forEach(
        (kind, f) ->
            add(
                "sweeper, "
                    + kind.label
                    + ": 100,000 due with timeout hooks timed out in ≤ 5 s, 1,000,000 waiting",
                Stat.number(f.sweepMillis().median() / 1000, 1)
                    + " s for "
                    + Stat.number(s.sweep(), 0)
                    + " of "
                    + Stat.number(s.pending(), 0)
                    + (full ? "" : " (a smaller trial: not judged)"),
                full ? f.sweepMillis().median() <= 5000 : null));
  }

  void codegen(Codegen.Figures f) {
    Codegen.ratios(f, Codegen.OURS)
        .forEach(
            (spec, ratio) ->
                add(
                    "codegen ≥ 4× faster than openapi-generator-cli, whole process, median of "
                        + f.runs()
                        + ": "
                        + spec,
                    Stat.number(ratio, 1) + "×",
                    ratio >= 4));
  }

  private void add(String what, String measured, @Nullable Boolean met) {
    targets.add(new Target(what, measured, met));
  }

  List<Target> all() {
    return List.copyOf(targets);
  }

  static final String HEADING = "## Targets of issue 17, judged from this run";

  /** What a target's figure says when it comes from a run before, not this one. */
  static final String KEPT = "run before: ";

  /**
   * This run's targets section with the rows of an earlier one ({@code kept}) that this run did not
   * judge, their figures marked as kept: a run of some sections only would otherwise drop the
   * verdicts of the others from the document, whose sections it keeps.
   */
  static String withKeptRows(String ours, String kept) {
    List<String> lines = new ArrayList<>(List.of(ours.split("\n", -1)));
    Set<String> judged = new HashSet<>();
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      String target = target(lines.get(i));
      if (target != null) {
        judged.add(target);
        end = i + 1;
      }
    }
    if (end < 0) {
      return ours;
    }
    List<String> added = new ArrayList<>();
    for (String line : kept.split("\n", -1)) {
      String target = target(line);
      if (target != null && !judged.contains(target)) {
        String measured = line.substring(2 + target.length() + 3);
        added.add("| " + target + " | " + (measured.startsWith(KEPT) ? "" : KEPT) + measured);
      }
    }
    if (added.isEmpty()) {
      return ours;
    }
    added.add("");
    added.add(
        "A figure marked \""
            + KEPT.strip()
            + "\" comes from the run that wrote the section it belongs to, which this command did"
            + " not run.");
    lines.addAll(end, added);
    return String.join("\n", lines);
  }

  /** The target a row of the table names, or null for any other line. */
  private static @Nullable String target(String line) {
    if (!line.startsWith("| ") || line.startsWith("| target |")) {
      return null;
    }
    int cell = line.indexOf(" | ", 2);
    return cell < 0 ? null : line.substring(2, cell);
  }

  /** The section, empty when nothing was measured. */
  String markdown() {
    if (targets.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    md.append(HEADING).append("\n\n");
    md.append("| target | this run | |\n|---|---|---|\n");
    for (Target t : targets) {
      md.append("| ")
          .append(t.what())
          .append(" | ")
          .append(t.measured())
          .append(" | ")
          .append(t.met() == null ? "—" : t.met() ? "**met**" : "**not met**")
          .append(" |\n");
    }
    md.append('\n');
    return md.toString();
  }

  private static String percent(double share) {
    return Stat.number(100 * share, 1) + " %";
  }

  private static String rates(List<Double> rates) {
    return String.join(" → ", rates.stream().map(r -> Stat.number(r, 0)).toList()) + " /s";
  }
}
