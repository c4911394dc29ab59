package dev.extsvc.corpus;

import com.palantir.javapoet.JavaFile;
import dev.extsvc.codegen.JavaClientGenerator;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.CorrelationRule;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One document through registration, client generation and compilation. Runs on a worker thread
 * that the run may abandon after its time limit, so the stage reached is kept where the run can
 * read it.
 */
final class DocumentCheck {
  static final String PACKAGE = "corpus.client";

  private final Registrar registrar;
  private final boolean endToEnd;
  private final List<CorrelationRule> rules;
  private final Registrar withRules;
  private volatile String stage = "waiting";
  private volatile Outcome.@Nullable Builder current;
  private volatile int awaitableKeys;

  /**
   * @param endToEnd whether a compiled document with awaitable keys is also run end to end (the
   *     mock fires each key's callback at the runtime)
   */
  DocumentCheck(Registrar registrar, boolean endToEnd) {
    this(registrar, endToEnd, List.of());
  }

  /**
   * @param rules correlation rules given in configuration: a document of a service they name is
   *     registered once more with them, to count the keys they make awaitable by correlation
   *     (today's counts stay those of the document alone)
   */
  DocumentCheck(Registrar registrar, boolean endToEnd, List<CorrelationRule> rules) {
    this.registrar = registrar;
    this.endToEnd = endToEnd;
    this.rules = List.copyOf(rules);
    this.withRules = rules.isEmpty() ? registrar : registrar.withCorrelations(rules);
  }

  /**
   * The awaitable keys the end-to-end part will deliver, known once the document registered (0
   * before, and when there is no end-to-end part): the run gives the check more time for each.
   */
  int awaitableKeys() {
    return awaitableKeys;
  }

  /** What a run that gives up on this check reports: how far it got. */
  Outcome abandoned(Selection.Candidate candidate, Outcome.Result result, String detail) {
    Outcome.Builder partial = current;
    return (partial != null ? partial : new Outcome.Builder(candidate))
        .finish(result, detail + " (while " + stage + ")");
  }

  Outcome run(Selection.Candidate candidate) {
    Outcome.Builder out = new Outcome.Builder(candidate);
    current = out;
    stage = "registering";
    long start = System.nanoTime();
    Registration registration = registrar.register(candidate.file(), null);
    out.registerMillis = millisSince(start);
    out.warnings = registration.report().warnings().size();
    List<Diagnostic> errors = registration.report().errors();
    ServiceDefinition service = registration.service();
    if (service == null) {
      return out.refused(errors);
    }
    out.registered = true;
    count(service, out);
    String name = service.name();
    if (rules.stream().anyMatch(r -> r.service().equals(name))) {
      stage = "registering with the configuration's correlation rules";
      ServiceDefinition correlated = withRules.register(candidate.file(), null).service();
      out.correlatedKeys = correlated == null ? 0 : correlatedKeys(correlated);
    }
    awaitableKeys = endToEnd ? out.awaitableKeys : 0;
    stage = "generating";
    start = System.nanoTime();
    List<JavaFile> files;
    try {
      files = JavaClientGenerator.generate(service, PACKAGE);
    } catch (RuntimeException | StackOverflowError e) {
      out.generateMillis = millisSince(start);
      return out.finish(Outcome.Result.NOT_GENERATED, String.valueOf(e));
    }
    out.generateMillis = millisSince(start);
    out.generatedFiles = files.size();
    stage = "compiling " + files.size() + " generated files";
    start = System.nanoTime();
    String compileErrors = Javac.compile(files);
    out.compileMillis = millisSince(start);
    if (compileErrors != null) {
      return out.finish(Outcome.Result.NOT_COMPILED, compileErrors);
    }
    if (endToEnd && out.awaitableKeys > 0) {
      stage = "delivering " + out.awaitableKeys + " awaitable keys end to end";
      EndToEnd.Result delivered = EndToEnd.run(service);
      out.deliveredKeys = delivered.delivered();
      out.deliveryFailures = delivered.failures().stream().map(EndToEnd.Failure::toString).toList();
    }
    return out.finish(Outcome.Result.COMPILED, "");
  }

  private static void count(ServiceDefinition service, Outcome.Builder out) {
    out.operations = service.operations().size();
    for (Operation op : service.operations()) {
      if (op.async()) {
        out.asyncOperations++;
        out.callbackKeys += op.callbackKeys().size();
        out.awaitableKeys +=
            (int)
                op.callbackKeys().stream()
                    .filter(
                        key ->
                            op.callbacks().stream()
                                .anyMatch(c -> c.key().equals(key) && c.awaitable()))
                    .count();
      }
    }
  }

  /** The keys not awaitable by their URL that a correlation rule makes awaitable by correlation. */
  static int correlatedKeys(ServiceDefinition service) {
    int n = 0;
    for (Operation op : service.operations()) {
      for (String key : op.callbackKeys()) {
        List<CallbackDefinition> defs =
            op.callbacks().stream().filter(c -> c.key().equals(key)).toList();
        if (defs.stream().noneMatch(CallbackDefinition::awaitable)
            && defs.stream().anyMatch(CallbackDefinition::awaitableByCorrelation)) {
          n++;
        }
      }
    }
    return n;
  }

  static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
