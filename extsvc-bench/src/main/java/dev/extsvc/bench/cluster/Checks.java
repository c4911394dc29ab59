package dev.extsvc.bench.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The suite's checks, with plain SQL on the store's tables and the suite's own (handler runs,
 * faults, and status changes logged by triggers with the database's clock), once every node has
 * stopped.
 */
final class Checks {
  private static final Set<String> FINAL = Set.of("COMPLETED", "TIMED_OUT", "CANCELLED");
  private static final List<String> COMPLETIONS = List.of("HANDLER_OK", "CALLBACK_RECORDED");

  private final Connection db;
  private final boolean handlerMode;

  Checks(Connection db, boolean handlerMode) {
    this.db = db;
    this.handlerMode = handlerMode;
  }

  /** One handler run as journaled by {@link ClusterHandler}. */
  record Run(
      long id,
      UUID invocation,
      String key,
      String node,
      long pid,
      Instant start,
      @Nullable Instant end,
      @Nullable String outcome) {}

  /** One fault; {@code until} is the SIGCONT of a pause. */
  record Fault(String kind, String node, long pid, Instant at, @Nullable Instant until) {}

  /** A check's row in the table: its figure and whether it failed. */
  record Row(String name, String value, boolean check, boolean failed) {}

  /** What the run found, as rows of the summary table. */
  record Figures(List<Row> rows, List<String> notes) {
    boolean failed() {
      return rows.stream().anyMatch(Row::failed);
    }

    String markdown(ClusterSuite.Options options, List<Node> nodes) {
      StringBuilder md = new StringBuilder();
      md.append("| cluster suite")
          .append(options.quick() ? " (--quick)" : "")
          .append(" | |\n|---|---:|\n");
      for (Row r : rows) {
        String name = r.check() ? "**" + r.name() + "**" : r.name();
        String value = r.check() ? "**" + r.value() + "**" : r.value();
        md.append("| ")
            .append(name)
            .append(r.failed() ? " ✗" : r.check() ? " ✓" : "")
            .append(" | ")
            .append(value)
            .append(" |\n");
      }
      md.append("\nNodes: ")
          .append(
              nodes.stream()
                  .map(
                      n ->
                          n.name
                              + " (clock "
                              + (n.clockOffset.isEmpty() ? "real" : n.clockOffset)
                              + ", "
                              + n.incarnations
                              + " starts)")
                  .collect(Collectors.joining(", ")))
          .append(". Seed ")
          .append(options.seed())
          .append(", ")
          .append(options.seconds())
          .append(" s of faults, pauses of ")
          .append(options.pauseSeconds())
          .append(" s.\n");
      if (!notes.isEmpty()) {
        md.append("\nNotes:\n");
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
      }
      md.append(
          "\nVerdict: "
              + (failed()
                  ? "FAILED: "
                      + rows.stream()
                          .filter(Row::failed)
                          .map(Row::name)
                          .collect(Collectors.joining("; "))
                  : "every check passed")
              + ".\n");
      return md.toString();
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private void info(String name, Object value) {
    rows.add(new Row(name, String.valueOf(value), false, false));
  }

  private void check(String name, long bad, String detail) {
    rows.add(new Row(name, bad + (detail.isEmpty() ? "" : " " + detail), true, bad != 0));
  }

  Figures run(
      Senders senders,
      List<UUID> invocations,
      List<UUID> timeoutInvocations,
      List<UUID> lateInvocations,
      int kills,
      int pauses,
      int restarts,
      double seconds)
      throws SQLException {
    List<Senders.Outcome> outcomes = List.copyOf(senders.outcomes);
    List<Run> runs = handlerMode ? runs() : List.of();
    List<Fault> faults = faults();
    info(
        "faults: kill -9 / SIGSTOP (then SIGCONT) / restarts after a kill",
        kills + " / " + pauses + " / " + restarts);
    info(
        "invocations: with a callback / left to time out / spec registered mid-run",
        invocations.size() + " / " + timeoutInvocations.size() + " / " + lateInvocations.size());
    Set<UUID> acked = new HashSet<>();
    Map<String, Integer> refusedByStatusNode = new TreeMap<>();
    int neverAnswered = 0;
    for (Senders.Outcome o : outcomes) {
      if (o.status() >= 200 && o.status() < 300) {
        acked.add(o.delivery().invocationId());
      } else if (o.status() >= 400) {
        refusedByStatusNode.merge(o.status() + " from " + o.node(), 1, Integer::sum);
      } else {
        neverAnswered++;
      }
    }
    int deliveries = invocations.size() + lateInvocations.size();
    info("callbacks sent / answered 2xx", outcomes.size() + " / " + acked.size());
    info(
        "HTTP attempts; answers by status (-1: no answer)",
        senders.attempts.sum() + "; " + senders.answersByStatus());

    // every callback answered 2xx is stored once, HANDLED, and its invocation COMPLETED
    Map<UUID, List<String>> callbacks = new HashMap<>();
    try (Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT invocation_id, outcome FROM extsvc_callbacks")) {
      while (r.next()) {
        callbacks
            .computeIfAbsent(r.getObject(1, UUID.class), k -> new ArrayList<>())
            .add(r.getString(2));
      }
    }
    Map<UUID, String> status = new HashMap<>();
    Map<UUID, Long> deadline = new HashMap<>();
    try (Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT id, status, deadline FROM extsvc_invocation_state")) {
      while (r.next()) {
        status.put(r.getObject(1, UUID.class), r.getString(2));
        deadline.put(r.getObject(1, UUID.class), r.getLong(3));
      }
    }
    Map<UUID, Map<String, Integer>> events = new HashMap<>();
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT invocation_id, kind, count(*) FROM extsvc_events GROUP BY 1, 2")) {
      while (r.next()) {
        events
            .computeIfAbsent(r.getObject(1, UUID.class), k -> new HashMap<>())
            .put(r.getString(2), r.getInt(3));
      }
    }
    long lost = 0;
    List<String> lostSamples = new ArrayList<>();
    for (UUID id : acked) {
      List<String> rowsOf = callbacks.getOrDefault(id, List.of());
      String st = status.get(id);
      boolean ok = rowsOf.size() == 1 && rowsOf.get(0).equals("HANDLED") && "COMPLETED".equals(st);
      if (handlerMode && ok && !lateInvocations.contains(id)) {
        ok =
            runs.stream()
                .anyMatch(run -> run.invocation().equals(id) && "ok".equals(run.outcome()));
      }
      if (!ok) {
        lost++;
        if (lostSamples.size() < 3) {
          lostSamples.add(id + ": callbacks " + rowsOf + ", invocation " + st);
        }
      }
    }
    check(
        "lost (answered 2xx, not stored once + HANDLED + COMPLETED"
            + (handlerMode ? " + run" : "")
            + ")",
        lost,
        "");
    if (!lostSamples.isEmpty()) {
      notes.add("lost, e.g. " + String.join("; ", lostSamples));
    }
    check(
        "callbacks never answered 2xx (refused 4xx by status and node, or still failing at the end)",
        deliveries - acked.size(),
        refusedByStatusNode.isEmpty() && neverAnswered == 0
            ? ""
            : refusedByStatusNode + (neverAnswered > 0 ? " never answered: " + neverAnswered : ""));

    // completions: one per callback, none by a superseded run
    long twice = 0;
    long superseded = 0;
    for (Map.Entry<UUID, Map<String, Integer>> e : events.entrySet()) {
      int completions = COMPLETIONS.stream().mapToInt(k -> e.getValue().getOrDefault(k, 0)).sum();
      if (completions > 1) {
        twice++;
      }
      superseded +=
          e.getValue().entrySet().stream()
              .filter(k -> k.getKey().contains("SUPERSEDED"))
              .mapToInt(Map.Entry::getValue)
              .sum();
    }
    check(
        "completions by a superseded run (a callback completed twice: HANDLER_OK/CALLBACK_RECORDED > 1)",
        twice,
        "");
    info("runs recorded as superseded (events *SUPERSEDED*)", superseded);

    // exactly one final state
    Map<UUID, Integer> finalChanges = new HashMap<>();
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT invocation_id, count(*) FROM cluster_status_log WHERE status <> 'PENDING' GROUP BY 1")) {
      while (r.next()) {
        finalChanges.put(r.getObject(1, UUID.class), r.getInt(2));
      }
    }
    List<UUID> all = new ArrayList<>(invocations);
    all.addAll(timeoutInvocations);
    all.addAll(lateInvocations);
    Map<String, Integer> finalStates = new TreeMap<>();
    long notOneFinal = 0;
    for (UUID id : all) {
      String st = status.getOrDefault(id, "MISSING");
      finalStates.merge(st, 1, Integer::sum);
      Map<String, Integer> ev = events.getOrDefault(id, Map.of());
      int finalEvents = FINAL.stream().mapToInt(k -> ev.getOrDefault(k, 0)).sum();
      if ("TIMED_OUT".equals(st) && !ev.containsKey("TIMED_OUT")) {
        finalEvents++; // the sweeper's timeout: its event is read from the state row, not stored
      }
      if (!FINAL.contains(st) || finalEvents != 1 || finalChanges.getOrDefault(id, 0) != 1) {
        notOneFinal++;
      }
    }
    check(
        "invocations not in exactly one final state (status, one final event, one change out of PENDING)",
        notOneFinal,
        "");
    info("final states", finalStates);

    // timeouts by the database's clock
    Map<UUID, Instant> timedOutAt = new HashMap<>();
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT invocation_id, min(at) FROM cluster_status_log WHERE status = 'TIMED_OUT' GROUP BY 1")) {
      while (r.next()) {
        timedOutAt.put(r.getObject(1, UUID.class), r.getTimestamp(2).toInstant());
      }
    }
    List<Double> offsets = new ArrayList<>();
    long early = 0;
    long late = 0;
    long missed = 0;
    for (UUID id : timeoutInvocations) {
      Instant at = timedOutAt.get(id);
      Long due = deadline.get(id);
      if (at == null || due == null) {
        missed++;
        continue;
      }
      // the store keeps instants as epoch microseconds
      double off = (at.toEpochMilli() - due / 1000) / 1000.0;
      offsets.add(off);
      if (off < -2) {
        early++;
      } else if (off > 5) {
        late++;
      }
    }
    check("timeouts fired > 2 s early (database clock)", early, "");
    check(
        "timeouts fired > 5 s late, or not at all",
        late + missed,
        missed > 0 ? "(" + missed + " never)" : "");
    info("timeout fired minus deadline, s: min / median / p90 / p99 / max", distribution(offsets));
    long invocationsTimedOut =
        all.stream()
            .filter(id -> !timeoutInvocations.contains(id) && "TIMED_OUT".equals(status.get(id)))
            .count();
    info("invocations with a callback (1 h timeout) that timed out anyway", invocationsTimedOut);

    if (handlerMode) {
      effects(runs, faults);
      overlaps(runs, faults);
      takeovers(runs, faults, events);
    } else {
      info("handler runs", "none: this build cannot allow the suite's handler type on the nodes");
    }
    info("run time, s", String.format("%.0f", seconds));
    return new Figures(rows, notes);
  }

  /**
   * Run twice at once: two runs of one callback whose effects interleave by the database's clock,
   * one run's effects falling between the first and the last of the other's. Also how runs that
   * lost their lease ended, and how long a run of a paused process went on after its SIGCONT.
   */
  private void effects(List<Run> runs, List<Fault> faults) throws SQLException {
    Map<Long, Instant[]> span = new HashMap<>();
    long effects = 0;
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT run_id, min(at), max(at), count(*) FROM cluster_effects GROUP BY 1")) {
      while (r.next()) {
        span.put(
            r.getLong(1),
            new Instant[] {r.getTimestamp(2).toInstant(), r.getTimestamp(3).toInstant()});
        effects += r.getLong(4);
      }
    }
    Map<String, List<Run>> byCallback = new HashMap<>();
    runs.forEach(
        r ->
            byCallback
                .computeIfAbsent(r.invocation() + "/" + r.key(), k -> new ArrayList<>())
                .add(r));
    long interleaved = 0;
    List<String> samples = new ArrayList<>();
    for (List<Run> list : byCallback.values()) {
      for (int i = 0; i < list.size(); i++) {
        for (int j = i + 1; j < list.size(); j++) {
          Instant[] a = span.get(list.get(i).id());
          Instant[] b = span.get(list.get(j).id());
          if (a == null || b == null || a[0].isAfter(b[1]) || b[0].isAfter(a[1])) {
            continue;
          }
          interleaved++;
          if (samples.size() < 3) {
            samples.add(
                list.get(i).invocation()
                    + " on "
                    + list.get(i).node()
                    + " and "
                    + list.get(j).node());
          }
        }
      }
    }
    info("handler effects written (fenced, database clock)", effects);
    check(
        "handlers run twice at once (the effects of two runs of one callback interleaved)",
        interleaved,
        "");
    if (!samples.isEmpty()) {
      notes.add("effects of two runs interleaved, e.g. " + String.join("; ", samples));
    }
    Map<String, Long> outcomes = new java.util.TreeMap<>();
    runs.forEach(r -> outcomes.merge(String.valueOf(r.outcome()), 1L, Long::sum));
    info(
        "runs by outcome (lease lost: held() said no; fenced: the fence refused an effect"
            + " held() allowed; null: killed)",
        outcomes.toString());
    List<Double> linger = new ArrayList<>();
    for (Fault f : faults) {
      if (!f.kind().equals("pause") || f.until() == null) {
        continue;
      }
      for (Run r : runs) {
        if (r.pid() == f.pid()
            && r.node().equals(f.node())
            && !r.start().isAfter(f.at())
            && r.end() != null
            && r.end().isAfter(f.until())) {
          linger.add(Duration.between(f.until(), r.end()).toMillis() / 1000.0);
        }
      }
    }
    info(
        "runs caught by a pause: time from SIGCONT to their end, s (min / median / p90 / p99 / max)",
        distribution(linger));
  }

  /** Pairs of runs of one callback active at the same time (a node's pauses excluded). */
  private void overlaps(List<Run> runs, List<Fault> faults) {
    Instant endOfRun = Instant.now();
    Map<String, List<Run>> byCallback = new HashMap<>();
    runs.forEach(
        r ->
            byCallback
                .computeIfAbsent(r.invocation() + "/" + r.key(), k -> new ArrayList<>())
                .add(r));
    long both = 0;
    long cut = 0;
    long again = 0;
    List<String> samples = new ArrayList<>();
    for (List<Run> list : byCallback.values()) {
      again += list.size() - 1;
      for (int i = 0; i < list.size(); i++) {
        for (int j = i + 1; j < list.size(); j++) {
          Run a = list.get(i);
          Run b = list.get(j);
          Instant from = max(a.start(), b.start());
          Instant to = min(end(a, faults, endOfRun), end(b, faults, endOfRun));
          if (!from.isBefore(to)) {
            continue;
          }
          long overlap =
              Duration.between(from, to).toMillis()
                  - paused(a, faults, from, to)
                  - paused(b, faults, from, to);
          if (overlap <= 0) {
            continue;
          }
          if (stopped(a) || stopped(b)) {
            cut++;
          } else {
            both++;
            if (samples.size() < 3) {
              samples.add(
                  a.invocation()
                      + " on "
                      + a.node()
                      + " and "
                      + b.node()
                      + " for "
                      + overlap
                      + " ms");
            }
          }
        }
      }
    }
    info(
        "handler runs / runs again of a callback (at least once: after a kill or a lost lease)",
        runs.size() + " / " + again);
    // A run's thread alive beside another run, pauses excluded: reported, not failed (what
    // counts is the effects above); a run stopped for its lost lease is reported apart.
    info("runs alive together, pauses excluded, neither stopped for a lost lease", both);
    info("runs alive together, one stopped for its lost lease (superseded, cut short)", cut);
    if (!samples.isEmpty()) {
      notes.add("runs alive together, e.g. " + String.join("; ", samples));
    }
  }

  /**
   * After each kill: the runs the killed process had in flight, and how long until another run of
   * the same callback started (the database's clock); the events written for that callback's
   * recovery.
   */
  private void takeovers(List<Run> runs, List<Fault> faults, Map<UUID, Map<String, Integer>> events)
      throws SQLException {
    Map<UUID, Instant> completedAt = new HashMap<>();
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT invocation_id, min(at) FROM cluster_status_log WHERE status = 'COMPLETED'"
                    + " GROUP BY 1")) {
      while (r.next()) {
        completedAt.put(r.getObject(1, UUID.class), r.getTimestamp(2).toInstant());
      }
    }
    List<Double> latencies = new ArrayList<>();
    long never = 0;
    long slow = 0;
    int killsWithRuns = 0;
    List<Integer> eventsPer = new ArrayList<>();
    for (Fault f : faults) {
      if (!f.kind().equals("kill")) {
        continue;
      }
      List<Run> inFlight =
          runs.stream()
              .filter(
                  r ->
                      r.pid() == f.pid()
                          && r.node().equals(f.node())
                          && !r.start().isAfter(f.at())
                          && (r.end() == null || r.end().isAfter(f.at())))
              .toList();
      if (!inFlight.isEmpty()) {
        killsWithRuns++;
      }
      for (Run r : inFlight) {
        Instant completed = completedAt.get(r.invocation());
        if (completed != null && completed.isBefore(f.at())) {
          continue; // another run had completed it already: nothing to take over
        }
        Instant next =
            runs.stream()
                .filter(
                    o ->
                        o.invocation().equals(r.invocation())
                            && o.key().equals(r.key())
                            && o.start().isAfter(f.at()))
                .map(Run::start)
                .min(Instant::compareTo)
                .orElse(null);
        if (next == null) {
          never++;
          continue;
        }
        double s = Duration.between(f.at(), next).toMillis() / 1000.0;
        latencies.add(s);
        if (s > 10) {
          slow++;
        }
        eventsPer.add(
            events.getOrDefault(r.invocation(), Map.of()).getOrDefault("CALLBACK_RECOVERED", 0));
      }
    }
    info(
        "kills with handler runs in flight / runs cut by a kill",
        killsWithRuns + " / " + (latencies.size() + never));
    check(
        "takeovers after a kill slower than 10 s, or none",
        slow + never,
        never > 0 ? "(" + never + " never)" : "");
    info("takeover after a kill, s: min / median / p90 / p99 / max", distribution(latencies));
    info(
        "CALLBACK_RECOVERED events per taken-over callback: min / median / p90 / p99 / max",
        distribution(eventsPer.stream().map(i -> (double) i).toList()));
    long recovered =
        events.values().stream().mapToLong(m -> m.getOrDefault("CALLBACK_RECOVERED", 0)).sum();
    info("CALLBACK_RECOVERED events in all", recovered);
  }

  /** A run that ended because its lease was lost: interrupted, or stopped before an effect. */
  private static boolean stopped(Run r) {
    return "interrupted".equals(r.outcome())
        || "lease lost".equals(r.outcome())
        || "fenced".equals(r.outcome());
  }

  private static Instant end(Run r, List<Fault> faults, Instant endOfRun) {
    if (r.end() != null) {
      return r.end();
    }
    return faults.stream()
        .filter(
            f ->
                f.kind().equals("kill")
                    && f.pid() == r.pid()
                    && f.node().equals(r.node())
                    && !f.at().isBefore(r.start()))
        .map(Fault::at)
        .min(Instant::compareTo)
        .orElse(endOfRun);
  }

  /** Milliseconds of [from, to] during which the run's process was stopped. */
  private static long paused(Run r, List<Fault> faults, Instant from, Instant to) {
    long ms = 0;
    for (Fault f : faults) {
      if (!f.kind().equals("pause") || f.pid() != r.pid() || !f.node().equals(r.node())) {
        continue;
      }
      Instant until = f.until() != null ? f.until() : to;
      Instant a = max(from, f.at());
      Instant b = min(to, until);
      if (a.isBefore(b)) {
        ms += Duration.between(a, b).toMillis();
      }
    }
    return ms;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  static String distribution(Collection<Double> values) {
    if (values.isEmpty()) {
      return "n/a (none)";
    }
    List<Double> sorted = values.stream().sorted().toList();
    return String.format(
        "%.1f / %.1f / %.1f / %.1f / %.1f (n=%d)",
        sorted.get(0),
        sorted.get(sorted.size() / 2),
        percentile(sorted, 0.90),
        percentile(sorted, 0.99),
        sorted.get(sorted.size() - 1),
        sorted.size());
  }

  /** The nearest-rank percentile of sorted values. */
  private static double percentile(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * p) - 1));
  }

  private List<Run> runs() throws SQLException {
    List<Run> out = new ArrayList<>();
    try (PreparedStatement s =
            db.prepareStatement(
                "SELECT id, invocation_id, callback_key, node, pid, started_at, ended_at, outcome FROM cluster_runs ORDER BY id");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        var end = r.getTimestamp(7);
        out.add(
            new Run(
                r.getLong(1),
                r.getObject(2, UUID.class),
                r.getString(3),
                r.getString(4),
                r.getLong(5),
                r.getTimestamp(6).toInstant(),
                end == null ? null : end.toInstant(),
                r.getString(8)));
      }
    }
    return out;
  }

  private List<Fault> faults() throws SQLException {
    List<Fault> out = new ArrayList<>();
    try (PreparedStatement s =
            db.prepareStatement(
                "SELECT kind, node, pid, at, until FROM cluster_faults ORDER BY id");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        var until = r.getTimestamp(5);
        out.add(
            new Fault(
                r.getString(1),
                r.getString(2),
                r.getLong(3),
                r.getTimestamp(4).toInstant(),
                until == null ? null : until.toInstant()));
      }
    }
    return out;
  }
}
