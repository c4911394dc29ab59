package dev.extsvc.corpus;

import dev.extsvc.spec.Diagnostic;
import java.util.List;

/**
 * What happened to one document.
 *
 * @param detail why it did not compile, was not generated, hung or crashed; "" when compiled or
 *     refused
 * @param errors the registration errors of a refused document, with their locations
 * @param deliveredKeys the awaitable keys whose callback, sent by the mock, completed an invocation
 *     of the runtime (the end-to-end part)
 * @param deliveryFailures for each awaitable key not delivered, "operation/key: why"
 * @param correlatedKeys the keys not awaitable by their URL that a correlation rule of the run's
 *     configuration makes awaitable by correlation (0 without a rule for the document's service)
 */
record Outcome(
    Selection.Candidate candidate,
    Result result,
    boolean registered,
    String detail,
    List<Diagnostic> errors,
    int operations,
    int asyncOperations,
    int callbackKeys,
    int awaitableKeys,
    int warnings,
    long registerMillis,
    long generateMillis,
    long compileMillis,
    int generatedFiles,
    int deliveredKeys,
    List<String> deliveryFailures,
    int correlatedKeys) {

  Outcome {
    errors = List.copyOf(errors);
    deliveryFailures = List.copyOf(deliveryFailures);
  }

  /** Whether every key that registers as awaitable was delivered end to end. */
  boolean allDelivered() {
    return !registered || deliveredKeys == awaitableKeys;
  }

  enum Result {
    COMPILED("registered, generated, compiled"),
    REFUSED("refused"),
    NOT_GENERATED("registered; generation failed"),
    NOT_COMPILED("registered, generated; does not compile"),
    HANG("no answer within the time limit"),
    CRASH("crashed");

    final String label;

    Result(String label) {
      this.label = label;
    }
  }

  boolean generated() {
    return result == Result.COMPILED || result == Result.NOT_COMPILED;
  }

  static Outcome failed(Selection.Candidate candidate, Result result, String detail) {
    return new Builder(candidate).finish(result, detail);
  }

  /** Filled in as the stages go. */
  static final class Builder {
    final Selection.Candidate candidate;
    int operations;
    int asyncOperations;
    int callbackKeys;
    int awaitableKeys;
    int warnings;
    long registerMillis;
    long generateMillis;
    long compileMillis;
    int generatedFiles;
    boolean registered;
    int deliveredKeys;
    List<String> deliveryFailures = List.of();
    int correlatedKeys;

    Builder(Selection.Candidate candidate) {
      this.candidate = candidate;
    }

    Outcome refused(List<Diagnostic> errors) {
      return new Outcome(
          candidate,
          Result.REFUSED,
          false,
          "",
          errors,
          operations,
          asyncOperations,
          callbackKeys,
          awaitableKeys,
          warnings,
          registerMillis,
          generateMillis,
          compileMillis,
          generatedFiles,
          deliveredKeys,
          deliveryFailures,
          correlatedKeys);
    }

    Outcome finish(Result result, String detail) {
      return new Outcome(
          candidate,
          result,
          registered,
          detail,
          List.of(),
          operations,
          asyncOperations,
          callbackKeys,
          awaitableKeys,
          warnings,
          registerMillis,
          generateMillis,
          compileMillis,
          generatedFiles,
          deliveredKeys,
          deliveryFailures,
          correlatedKeys);
    }
  }
}
