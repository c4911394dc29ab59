package dev.extsvc.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one fault-suite run did and found; {@link #problems()} is empty when nothing was lost or
 * doubled.
 */
record FaultFigures(
    StoreKind store,
    int callbacks,
    Map<FaultPoint, Integer> kills,
    Map<FaultPoint, Integer> notReached,
    int haltedBeforeListening,
    double meanStartMillis,
    long attempts,
    long retries,
    long duplicatesSent,
    Map<Integer, Long> answers,
    List<String> refused,
    int acked,
    Map<String, Integer> statuses,
    Map<String, Integer> outcomes,
    int lost,
    int lostEffects,
    int callbackRowsDoubled,
    int notExactlyOneFinalEvent,
    int finalStateMismatch,
    int receivedEventsDoubled,
    int recovered,
    int duplicateEvents,
    int handlerRuns,
    int effects,
    int runsAfterHandled,
    int runsTwiceInOneProcess,
    int rerunsAfterOutage,
    Map<FaultPoint, Integer> rerunsAfter,
    Outage outage,
    int timedOutDuringOutage,
    double drainSeconds,
    double settleSeconds,
    int tokensInLogs,
    double seconds) {

  /** The store made unavailable under traffic, and what the senders were answered meanwhile. */
  record Outage(
      int seconds,
      double actualSeconds,
      long ackedDuring,
      boolean serverAlive,
      double firstAckAfterSeconds,
      Map<Integer, Long> answers,
      long without503RetryAfter) {
    static final Outage NONE = new Outage(0, 0, 0, true, 0, Map.of(), 0);
  }

  int totalKills() {
    return kills.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Doubled, in every way the suite can see: stored twice, completed twice, run after HANDLED, run
   * twice at once.
   */
  int doubled() {
    return callbackRowsDoubled
        + receivedEventsDoubled
        + runsAfterHandled
        + runsTwiceInOneProcess
        + Math.max(0, notExactlyOneFinalEvent);
  }

  List<String> problems() {
    List<String> p = new ArrayList<>();
    if (acked != callbacks) {
      p.add((callbacks - acked) + " of " + callbacks + " callbacks never answered 2xx");
    }
    if (!refused.isEmpty()) {
      p.add(
          refused.size()
              + " deliveries answered 4xx: "
              + refused.subList(0, Math.min(5, refused.size())));
    }
    if (lost > 0 || lostEffects > 0) {
      p.add(
          "lost: "
              + lost
              + " callbacks not HANDLED/COMPLETED, "
              + lostEffects
              + " handled without their effect");
    }
    if (callbackRowsDoubled > 0) {
      p.add(callbackRowsDoubled + " invocations with more than one callback row");
    }
    if (receivedEventsDoubled > 0) {
      p.add(receivedEventsDoubled + " invocations with more than one CALLBACK_RECEIVED event");
    }
    if (notExactlyOneFinalEvent > 0 || finalStateMismatch > 0) {
      p.add(
          notExactlyOneFinalEvent
              + " invocations without exactly one final event, "
              + finalStateMismatch
              + " whose status has no event");
    }
    if (runsAfterHandled > 0) {
      p.add(runsAfterHandled + " handler runs started after the store said HANDLED");
    }
    if (runsTwiceInOneProcess > 0) {
      p.add(
          runsTwiceInOneProcess
              + " callbacks whose handler ran twice in one process without a store failure");
    }
    if (effects != statuses.getOrDefault("COMPLETED", 0)) {
      p.add(
          effects
              + " handler effects for "
              + statuses.getOrDefault("COMPLETED", 0)
              + " completed invocations");
    }
    if (statuses.getOrDefault("COMPLETED", 0) != callbacks) {
      p.add("final states " + statuses + ", expected " + callbacks + " COMPLETED");
    }
    if (timedOutDuringOutage > 0) {
      p.add(timedOutDuringOutage + " invocations timed out while the store was down");
    }
    long outageBad =
        outage.answers.entrySet().stream()
            .filter(e -> e.getKey() != 503 && e.getKey() != -1)
            .mapToLong(Map.Entry::getValue)
            .sum();
    if (outageBad > 0 || outage.without503RetryAfter > 0) {
      p.add(
          "during the outage: answers "
              + outage.answers
              + ", "
              + outage.without503RetryAfter
              + " 503 without Retry-After");
    }
    if (tokensInLogs > 0) {
      p.add(tokensInLogs + " callback tokens found in the server's log");
    }
    return p;
  }

  String markdown() {
    StringBuilder s = new StringBuilder();
    s.append("| ").append(store.label).append(" | |\n|---|---:|\n");
    row(s, "kills (SIGKILL or halt at the point)", totalKills() + "");
    for (FaultPoint p : FaultPoint.values()) {
      row(s, "&nbsp;&nbsp;" + p.name() + " (" + p.category + ")", kills.getOrDefault(p, 0) + "");
    }
    row(
        s,
        "&nbsp;&nbsp;points not reached within 10 s (then killed at random, counted as RANDOM)",
        notReached.values().stream().mapToInt(Integer::intValue).sum() + " " + notReached);
    row(
        s,
        "&nbsp;&nbsp;of them reached while recovering callbacks at start, before listening",
        haltedBeforeListening + "");
    row(
        s,
        "server start, mean ms (JVM start to listening)",
        String.format("%.0f", meanStartMillis));
    row(s, "callbacks (one per invocation)", callbacks + "");
    row(s, "callbacks answered 2xx", acked + "");
    row(
        s,
        "HTTP attempts / retries / repeats of delivered callbacks",
        attempts + " / " + retries + " / " + duplicatesSent);
    row(s, "answers by status (-1: connection failed)", answers.toString());
    row(
        s,
        "**lost** (2xx but not HANDLED + COMPLETED, or no effect)",
        "**" + (lost + lostEffects) + "**");
    row(
        s,
        "**doubled** (stored twice, completed twice, run after HANDLED, run twice in a process without a store"
            + " failure)",
        "**" + doubled() + "**");
    row(s, "final states", statuses.toString());
    row(s, "invocations without exactly one final event", notExactlyOneFinalEvent + "");
    row(s, "callback outcomes", outcomes.toString());
    row(s, "handler runs / effects", handlerRuns + " / " + effects);
    row(
        s,
        "runs again after a kill cut the first (effect already there, not repeated), by point",
        rerunsAfter.values().stream().mapToInt(Integer::intValue).sum() + " " + rerunsAfter);
    row(
        s,
        "runs again because the store went down between the run and its completion (outage; effect not repeated)",
        rerunsAfterOutage + "");
    row(s, "callbacks recovered by the worker (stored, unfinished at a kill)", recovered + "");
    row(s, "repeats answered from the store (CALLBACK_DUPLICATE events)", duplicateEvents + "");
    if (outage.seconds > 0) {
      row(
          s,
          "store outage"
              + (store == StoreKind.SQLITE
                  ? " (writes fail: RLIMIT_FSIZE 0)"
                  : " (PostgreSQL stopped)"),
          String.format("%.1f s", outage.actualSeconds));
      row(
          s,
          "&nbsp;&nbsp;answers to requests sent while the store was down",
          outage.answers.toString());
      row(
          s,
          "&nbsp;&nbsp;2xx while down for requests sent before it went down / 503 without Retry-After",
          outage.ackedDuring + " / " + outage.without503RetryAfter);
      row(s, "&nbsp;&nbsp;timed out while down", timedOutDuringOutage + "");
      row(s, "&nbsp;&nbsp;server process alive throughout", outage.serverAlive + "");
      row(
          s,
          "&nbsp;&nbsp;first 2xx after the store came back, s",
          String.format("%.1f", outage.firstAckAfterSeconds));
    }
    row(s, "tokens found in the server's log", tokensInLogs + "");
    row(
        s,
        "drain after the last kill / settle, s",
        String.format("%.1f / %.1f", drainSeconds, settleSeconds));
    row(s, "run time, s", String.format("%.0f", seconds));
    return s.toString();
  }

  private static void row(StringBuilder s, String name, String value) {
    s.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }

  /** Collects the figures while the run goes. */
  static final class Builder {
    private final StoreKind store;
    private final int callbacks;
    private final Map<FaultPoint, Integer> kills = new EnumMap<>(FaultPoint.class);
    private final Map<FaultPoint, Integer> notReached = new EnumMap<>(FaultPoint.class);
    private final List<Double> starts = new ArrayList<>();
    private int haltedBeforeListening;
    private @Nullable FaultSenders senders; // set by senders(...) before build()
    private Map<String, Integer> statuses = Map.of();
    private Map<String, Integer> outcomes = Map.of();
    private int lost;
    private int lostEffects;
    private int callbackRowsDoubled;
    private int notExactlyOneFinalEvent;
    private int finalStateMismatch;
    private int receivedEventsDoubled;
    private int recovered;
    private int duplicateEvents;
    private int handlerRuns;
    private int effects;
    private int runsAfterHandled;
    private int runsTwiceInOneProcess;
    private int rerunsAfterOutage;
    private Map<FaultPoint, Integer> rerunsAfter = Map.of();
    private Outage outage = Outage.NONE;
    private int timedOutDuringOutage;
    private double drainSeconds;
    private double settleSeconds;
    private int tokensInLogs;
    private double seconds;

    Builder(StoreKind store, int callbacks) {
      this.store = store;
      this.callbacks = callbacks;
    }

    void startMillis(double ms) {
      starts.add(ms);
    }

    void haltedBeforeListening() {
      haltedBeforeListening++;
    }

    void kill(FaultPoint p) {
      kills.merge(p, 1, Integer::sum);
    }

    void notReached(FaultPoint p) {
      notReached.merge(p, 1, Integer::sum);
    }

    void senders(FaultSenders s) {
      senders = s;
    }

    void statuses(Map<String, Integer> m) {
      statuses = m;
    }

    void outcomes(Map<String, Integer> m) {
      outcomes = m;
    }

    void lost(int callbacksLost, int effectsLost) {
      lost = callbacksLost;
      lostEffects = effectsLost;
    }

    void callbackRowsDoubled(int n) {
      callbackRowsDoubled = n;
    }

    void notExactlyOneFinalEvent(int n) {
      notExactlyOneFinalEvent = n;
    }

    void finalStateMismatch(int n) {
      finalStateMismatch = n;
    }

    void receivedEventsDoubled(int n) {
      receivedEventsDoubled = n;
    }

    void recovered(int n) {
      recovered = n;
    }

    void duplicateEvents(int n) {
      duplicateEvents = n;
    }

    void runs(int runs, int effectCount, int afterHandled, int twice, int afterOutage) {
      rerunsAfterOutage = afterOutage;
      handlerRuns = runs;
      effects = effectCount;
      runsAfterHandled = afterHandled;
      runsTwiceInOneProcess = twice;
    }

    void rerunsAfter(Map<FaultPoint, Integer> m) {
      rerunsAfter = m;
    }

    void outage(
        int planned,
        double actual,
        long ackedDuring,
        boolean alive,
        double firstAck,
        Map<Integer, Long> answers,
        long without) {
      outage = new Outage(planned, actual, ackedDuring, alive, firstAck, answers, without);
    }

    void timedOutDuringOutage(int n) {
      timedOutDuringOutage = n;
    }

    void drainSeconds(double s) {
      drainSeconds = s;
    }

    void settleSeconds(double s) {
      settleSeconds = s;
    }

    void tokensInLogs(int n) {
      tokensInLogs = n;
    }

    void seconds(double s) {
      seconds = s;
    }

    FaultFigures build() {
      FaultSenders senders =
          Objects.requireNonNull(this.senders, "senders(...) comes before build()");
      return new FaultFigures(
          store,
          callbacks,
          kills,
          notReached,
          haltedBeforeListening,
          starts.stream().mapToDouble(Double::doubleValue).average().orElse(0),
          senders.attempts.sum(),
          senders.retries.sum(),
          senders.duplicatesSent.sum(),
          senders.answersByStatus(),
          List.copyOf(senders.refused),
          senders.acked(),
          statuses,
          outcomes,
          lost,
          lostEffects,
          callbackRowsDoubled,
          notExactlyOneFinalEvent,
          finalStateMismatch,
          receivedEventsDoubled,
          recovered,
          duplicateEvents,
          handlerRuns,
          effects,
          runsAfterHandled,
          runsTwiceInOneProcess,
          rerunsAfterOutage,
          rerunsAfter,
          outage,
          timedOutDuringOutage,
          drainSeconds,
          settleSeconds,
          tokensInLogs,
          seconds);
    }
  }
}
