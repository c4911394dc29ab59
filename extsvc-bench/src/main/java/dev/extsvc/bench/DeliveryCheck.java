package dev.extsvc.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The harness's own check after a callback run: every callback sent was answered 2xx, stored once
 * and handled, and completed its invocation; nothing lost, nothing doubled. A figure from a run
 * that fails it is not reported.
 *
 * @param expected how many callbacks were sent, one per invocation, each to a different invocation
 * @param answeredOk how many of them were answered 2xx
 * @param handlerRuns how many times the handler ran (counted in the handler itself)
 */
record DeliveryCheck(int expected, int answeredOk, long handlerRuns, StoreTally tally) {

  /** What is wrong; empty when the run delivered each callback exactly once. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (answeredOk != expected) {
      problems.add(answeredOk + " of " + expected + " callbacks were answered 2xx");
    }
    if (handlerRuns != expected) {
      problems.add("the handler ran " + handlerRuns + " times for " + expected + " callbacks");
    }
    if (tally.callbackRows() != expected) {
      problems.add(
          tally.callbackRows() + " callback rows stored for " + expected + " callbacks sent");
    }
    if (tally.callbacks("HANDLED") != expected) {
      problems.add(
          tally.callbacks("HANDLED")
              + " callbacks HANDLED, expected "
              + expected
              + " (by outcome: "
              + tally.callbacksByOutcome()
              + ")");
    }
    if (tally.invocationsWithSeveralCallbacks() != 0) {
      problems.add(
          tally.invocationsWithSeveralCallbacks() + " invocations have more than one callback row");
    }
    if (tally.callbacksWithoutInvocation() != 0) {
      problems.add(tally.callbacksWithoutInvocation() + " callback rows have no invocation");
    }
    if (tally.invocations("COMPLETED") != expected) {
      problems.add(
          tally.invocations("COMPLETED")
              + " invocations COMPLETED, expected "
              + expected
              + " (by status: "
              + tally.invocationsByStatus()
              + ")");
    }
    return problems;
  }

  /** Throws, naming every problem, unless the run delivered each callback exactly once. */
  void verify(String run) {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new DeliveryFailure(
          run + ": callbacks lost or doubled: " + String.join("; ", problems));
    }
  }

  /** A run that lost or doubled callbacks. */
  static final class DeliveryFailure extends RuntimeException {
    DeliveryFailure(String message) {
      super(message);
    }
  }
}
