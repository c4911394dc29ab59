package dev.extsvc.runtime.alert;

import dev.extsvc.runtime.Alert.Rule;
import dev.extsvc.runtime.AlertRules;
import dev.extsvc.runtime.store.ActivityMinute;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Checks each rule against the store. A rule whose check fails (the store did not answer) is left
 * out of {@link Found#checked()}, so its alerts neither fire nor resolve on a failed look.
 */
final class Conditions {
  /** How many pending invocations one check looks at, earliest deadline first. */
  static final int PENDING_SCAN = 1000;

  /** How many completed invocations of an operation give its callback-time percentile. */
  static final int SAMPLES = 500;

  static final int LINKS = 10;

  /** Far enough to mean "every pending invocation" without overflowing a store's time column. */
  private static final Duration ALL_PENDING = Duration.ofDays(3650);

  private final Store store;
  private final AlertRules rules;
  private final String nodeId;

  Conditions(Store store, AlertRules rules, String nodeId) {
    this.store = store;
    this.rules = rules;
    this.nodeId = nodeId;
  }

  /**
   * @param holding the conditions found holding
   * @param checked the rules whose check completed (their other alerts resolve)
   */
  record Found(List<Condition> holding, Set<Rule> checked) {}

  Found check(Instant now) {
    List<Condition> holding = new ArrayList<>();
    Set<Rule> checked = EnumSet.noneOf(Rule.class);
    List<String> storeFailures = new ArrayList<>();
    Duration within = rules.nearDeadline();
    if (within != null) {
      run(Rule.NEAR_DEADLINE, () -> nearDeadline(now, within), holding, checked, storeFailures);
    }
    AlertRules.SlowWait slow = rules.slowWait();
    if (slow != null) {
      run(Rule.SLOW_WAIT, () -> slowWait(now, slow), holding, checked, storeFailures);
    }
    AlertRules.FailureRate rate = rules.handlerFailureRate();
    if (rate != null) {
      run(Rule.HANDLER_FAILURE_RATE, () -> failureRate(now, rate), holding, checked, storeFailures);
    }
    if (rules.deadCallbacks()) {
      run(Rule.DEAD_CALLBACKS, this::deadCallbacks, holding, checked, storeFailures);
    }
    if (rules.storeErrors()) {
      checked.add(Rule.STORE_ERRORS);
      if (storeFailures.isEmpty() && !healthy()) {
        storeFailures.add("the store does not answer its health check");
      }
      if (!storeFailures.isEmpty()) {
        holding.add(
            new Condition(
                Rule.STORE_ERRORS,
                nodeId,
                "node " + nodeId + " cannot use the store: " + storeFailures.get(0),
                List.of(),
                true));
      }
    }
    return new Found(holding, checked);
  }

  private interface Check {
    List<Condition> run();
  }

  private static void run(
      Rule rule,
      Check check,
      List<Condition> holding,
      Set<Rule> checked,
      List<String> storeFailures) {
    try {
      holding.addAll(check.run());
      checked.add(rule);
    } catch (RuntimeException e) {
      // The store's own exceptions say what failed without the data; keep the class for context.
      storeFailures.add(
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  private boolean healthy() {
    try {
      return store.healthy();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The pending invocations due before {@code until}, by "service/operation", earliest first. */
  private Map<String, List<InvocationRow>> pendingByOperation(Instant until) {
    Map<String, List<InvocationRow>> byOperation = new LinkedHashMap<>();
    for (InvocationRow row : store.pendingDueBefore(until, PENDING_SCAN)) {
      byOperation.computeIfAbsent(operation(row), k -> new ArrayList<>()).add(row);
    }
    return byOperation;
  }

  private List<Condition> nearDeadline(Instant now, Duration within) {
    List<Condition> found = new ArrayList<>();
    pendingByOperation(now.plus(within))
        .forEach(
            (operation, rows) -> {
              Duration left = Duration.between(now, rows.get(0).deadline());
              found.add(
                  new Condition(
                      Rule.NEAR_DEADLINE,
                      operation,
                      count(rows.size(), "invocation")
                          + " of "
                          + operation
                          + " within "
                          + AlertText.duration(within)
                          + " of the deadline, the first "
                          + (left.isNegative()
                              ? "overdue by " + AlertText.duration(left.negated())
                              : "due in " + AlertText.duration(left)),
                      ids(rows),
                      false));
            });
    return found;
  }

  private List<Condition> slowWait(Instant now, AlertRules.SlowWait rule) {
    List<Condition> found = new ArrayList<>();
    for (List<InvocationRow> pending : pendingByOperation(now.plus(ALL_PENDING)).values()) {
      InvocationRow first = pending.get(0);
      List<Duration> times = callbackTimes(first.service(), first.operation());
      if (times.size() < rule.minSamples()) {
        continue;
      }
      Duration p99 = times.get(Math.max(0, (int) Math.ceil(times.size() * 0.99) - 1));
      Duration limit = max(scale(p99, rule.multiple()), rule.atLeast());
      List<InvocationRow> slow =
          pending.stream()
              .filter(r -> Duration.between(r.submitTime(), now).compareTo(limit) > 0)
              .sorted((a, b) -> a.submitTime().compareTo(b.submitTime()))
              .toList();
      if (!slow.isEmpty()) {
        found.add(
            new Condition(
                Rule.SLOW_WAIT,
                operation(first),
                count(slow.size(), "invocation")
                    + " of "
                    + operation(first)
                    + " waiting longer than "
                    + AlertText.duration(limit)
                    + " ("
                    + rule.multiple()
                    + " × its p99 callback time of "
                    + AlertText.duration(p99)
                    + " over "
                    + times.size()
                    + " completed), the longest for "
                    + AlertText.duration(Duration.between(slow.get(0).submitTime(), now)),
                ids(slow),
                false));
      }
    }
    return found;
  }

  /** Submitted-to-completed times of the operation's latest completed invocations, ascending. */
  private List<Duration> callbackTimes(String service, String operation) {
    List<Duration> times = new ArrayList<>();
    for (InvocationRow row :
        store.invocations(
            new InvocationQuery(
                InvocationStatus.COMPLETED, service, operation, null, null, null, SAMPLES))) {
      if (row.async() && row.finishedAt() != null) {
        times.add(Duration.between(row.submitTime(), row.finishedAt()));
      }
    }
    times.sort(null);
    return times;
  }

  private List<Condition> failureRate(Instant now, AlertRules.FailureRate rule) {
    long callbacks = 0;
    long failures = 0;
    for (ActivityMinute minute : store.activity(now.minus(rule.window()))) {
      callbacks += minute.callbacks();
      failures += minute.failures();
    }
    if (callbacks < rule.minCallbacks() || failures <= rule.above() * callbacks) {
      return List.of();
    }
    return List.of(
        new Condition(
            Rule.HANDLER_FAILURE_RATE,
            "cluster",
            failures
                + " of "
                + count(callbacks, "callback")
                + " received in the last "
                + AlertText.duration(rule.window())
                + " stand failed ("
                + Math.round(100.0 * failures / callbacks)
                + " %, the limit is "
                + Math.round(100 * rule.above())
                + " %)",
            List.of(),
            false));
  }

  private List<Condition> deadCallbacks() {
    List<CallbackRow> dead =
        store.failedCallbacks(PENDING_SCAN).stream().filter(CallbackRow::dead).toList();
    if (dead.isEmpty()) {
      return List.of();
    }
    List<UUID> invocations =
        dead.stream().map(CallbackRow::invocationId).distinct().limit(LINKS).toList();
    return List.of(
        new Condition(
            Rule.DEAD_CALLBACKS,
            "cluster",
            count(dead.size(), "dead callback")
                + (dead.size() >= PENDING_SCAN ? " or more" : "")
                + ": retries given up after their handler kept failing, the newest for key "
                + dead.get(0).key()
                + "; replay them from the console once the cause is fixed",
            invocations,
            false));
  }

  private static String operation(InvocationRow row) {
    return row.service() + "/" + row.operation();
  }

  private static List<UUID> ids(List<InvocationRow> rows) {
    return rows.stream().limit(LINKS).map(InvocationRow::id).toList();
  }

  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static Duration scale(Duration d, double factor) {
    return Duration.ofMillis(Math.round(d.toMillis() * factor));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
