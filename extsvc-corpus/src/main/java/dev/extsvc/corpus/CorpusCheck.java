package dev.extsvc.corpus;

import dev.extsvc.spec.CorrelationRule;
import dev.extsvc.spec.Registrar;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The compatibility run (scripts/corpus-check): registers every OpenAPI 3 document of a corpus
 * folder that declares callbacks, a seeded sample of those that do not, and the largest documents;
 * generates and compiles the typed client of each that registers; writes the results into
 * docs/compatibility.md and prints the totals.
 *
 * <p>Each document runs on its own worker thread with a time limit. A document over the limit is
 * reported as a hang and its worker abandoned (it cannot be stopped safely), so a hang never stops
 * the run.
 *
 * <p>Exit code 0 when every document registered or was refused with a report and every registered
 * one compiled; 1 otherwise; 2 for bad arguments.
 */
public final class CorpusCheck {
  static final int DEFAULT_SAMPLE = 200;
  static final long DEFAULT_SEED = 20_240_601L;
  static final int DEFAULT_TIMEOUT_SECONDS = 300;

  /**
   * The time a document's end-to-end part may take per awaitable key, beyond the time limit: the
   * longest one key waits for its callback, and a little for the invocation around it.
   */
  static final int SECONDS_PER_AWAITABLE_KEY = (int) EndToEnd.PATIENCE.toSeconds() + 5;

  private CorpusCheck() {}

  /** A document's time limit: the base limit, and a budget per awaitable key once known. */
  static long timeLimitSeconds(int baseSeconds, int awaitableKeys) {
    return baseSeconds + (long) SECONDS_PER_AWAITABLE_KEY * awaitableKeys;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** The run's arguments. */
  record Options(
      Path corpus,
      Path out,
      int sample,
      long seed,
      int timeoutSeconds,
      String source,
      List<String> only,
      List<CorrelationRule> correlations) {
    static Options parse(String[] args) {
      Path corpus = null;
      Path out = Path.of("docs/compatibility.md");
      int sample = DEFAULT_SAMPLE;
      long seed = DEFAULT_SEED;
      int timeout = DEFAULT_TIMEOUT_SECONDS;
      String source = "the corpus";
      List<String> only = List.of();
      List<CorrelationRule> correlations = List.of();
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--corpus" -> corpus = Path.of(required(args[i], value));
          case "--out" -> out = Path.of(required(args[i], value));
          case "--sample" -> sample = Integer.parseInt(required(args[i], value));
          case "--seed" -> seed = Long.parseLong(required(args[i], value));
          case "--timeout" -> timeout = Integer.parseInt(required(args[i], value));
          case "--source" -> source = required(args[i], value);
          case "--only" -> only = List.of(required(args[i], value).split(","));
          case "--correlations" ->
              correlations = CorrelationRules.read(Path.of(required(args[i], value)));
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        i++;
      }
      if (corpus == null) {
        throw new IllegalArgumentException(
            "--corpus DIR is required (the folder of OpenAPI documents)");
      }
      if (sample < 0 || timeout <= 0) {
        throw new IllegalArgumentException("--sample must be 0 or more and --timeout positive");
      }
      return new Options(corpus, out, sample, seed, timeout, source, only, correlations);
    }

    private static String required(String name, @Nullable String value) {
      if (value == null) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      return value;
    }
  }

  static int run(String[] args, PrintStream log) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      log.println("corpus-check: " + e.getMessage());
      log.println(
          "usage: CorpusCheck --corpus DIR [--out FILE] [--sample N] [--seed S] [--timeout SECONDS] [--source TEXT]"
              + " [--only NAME,...] [--correlations RULES.yaml]");
      return 2;
    }
    if (!Files.isDirectory(options.corpus())) {
      log.println("corpus-check: " + options.corpus() + " is not a folder");
      return 2;
    }
    long started = System.nanoTime();
    List<Selection.Candidate> all = Selection.scan(options.corpus());
    if (!options.only().isEmpty()) {
      return runOnly(Selection.only(all, options.only()), options, log);
    }
    List<Selection.Candidate> callbacks = Selection.withCallbacks(all);
    List<Selection.Candidate> sample = Selection.sample(all, options.sample(), options.seed());
    List<Selection.Candidate> largest = Selection.largest(all, Registrar.DEFAULT_MAX_JSON_BYTES);
    log.printf(
        Locale.ROOT,
        "%d documents; %d OpenAPI 3 with callbacks; sample of %d without (seed %d); %d largest%n",
        all.size(),
        callbacks.size(),
        sample.size(),
        options.seed(),
        largest.size());

    Registrar registrar = Registrar.defaults();
    ExecutorService workers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "corpus-document");
              t.setDaemon(true); // an abandoned (hung) document must not keep the JVM alive
              return t;
            });
    List<CompatibilityReport.Group> groups = new ArrayList<>();
    groups.add(
        new CompatibilityReport.Group(
            "Documents with callbacks",
            "Every OpenAPI 3 document of the corpus that declares callbacks in an operation or in components/callbacks.",
            check(callbacks, registrar, workers, options, log)));
    groups.add(
        new CompatibilityReport.Group(
            "Largest documents",
            "The largest document of the corpus and the largest within the default size limit.",
            check(largest, registrar, workers, options, log)));
    groups.add(
        new CompatibilityReport.Group(
            "Sample of documents without callbacks",
            "Chosen at random with seed "
                + options.seed()
                + " among the OpenAPI 3 documents without callbacks.",
            check(sample, registrar, workers, options, log)));

    List<Selection.Candidate> samples = repositorySamples(Path.of("examples"));
    if (!samples.isEmpty()) {
      groups.add(
          new CompatibilityReport.Group(
              "This repository's samples",
              "The seeded sample documents in examples/, run the same way.",
              check(samples, registrar, workers, options, log)));
    }

    List<CompatibilityReport.Timing> timings = new ArrayList<>();
    groups.get(1).outcomes().stream()
        .filter(Outcome::registered)
        .reduce((a, b) -> b)
        .ifPresent(
            o -> timings.add(warmRegistration(o.candidate(), registrar, workers, options, log)));

    List<Outcome> outcomes = CompatibilityReport.distinct(groups);
    long minutes = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    String environment =
        String.format(
            Locale.ROOT,
            "Java %s, %d processors, the whole run took %d s, time limit %d s per document"
                + " and %d s more per awaitable key",
            Runtime.version(),
            Runtime.getRuntime().availableProcessors(),
            minutes,
            options.timeoutSeconds(),
            SECONDS_PER_AWAITABLE_KEY);
    String markdown = CompatibilityReport.render(options.source(), groups, timings, environment);
    try {
      CompatibilityReport.writeInto(options.out(), markdown);
    } catch (IOException e) {
      log.println("corpus-check: cannot write " + options.out() + ": " + e.getMessage());
      return 1;
    }
    log.println("totals: " + CompatibilityReport.totals(outcomes));
    CompatibilityReport.refusalReasons(outcomes)
        .forEach((reason, n) -> log.println("  refused " + n + ": " + reason));
    timings.forEach(
        t ->
            log.println(
                "warm registration of "
                    + t.name()
                    + ": "
                    + t.wallMillis()
                    + " ms wall, "
                    + t.cpuMillis()
                    + " ms CPU"));
    log.println("written to " + options.out());
    return clean(outcomes, log) ? 0 : 1;
  }

  /**
   * Every document registered or was refused with a report, every registered one compiled, and
   * every key that registers as awaitable was delivered end to end.
   */
  static boolean clean(List<Outcome> outcomes, PrintStream log) {
    outcomes.stream()
        .filter(o -> !o.allDelivered())
        .forEach(
            o ->
                o.deliveryFailures()
                    .forEach(
                        f -> log.println("  not delivered: " + o.candidate().name() + " " + f)));
    return outcomes.stream()
        .allMatch(
            o ->
                (o.result() == Outcome.Result.COMPILED || o.result() == Outcome.Result.REFUSED)
                    && o.allDelivered());
  }

  /**
   * Checks only the named documents (to reproduce a problem in seconds rather than run the corpus);
   * prints each outcome with its detail and writes no report.
   */
  private static int runOnly(List<Selection.Candidate> chosen, Options options, PrintStream log) {
    if (chosen.isEmpty()) {
      log.println("corpus-check: no document matches --only " + String.join(",", options.only()));
      return 2;
    }
    ExecutorService workers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "corpus-document");
              t.setDaemon(true);
              return t;
            });
    List<Outcome> outcomes = check(chosen, Registrar.defaults(), workers, options, log);
    outcomes.stream()
        .filter(o -> !o.detail().isEmpty())
        .forEach(o -> log.println(o.candidate().name() + ":\n" + o.detail()));
    log.println("totals: " + CompatibilityReport.totals(outcomes));
    return clean(outcomes, log) ? 0 : 1;
  }

  /** The OpenAPI 3 documents in the folder (none when it does not exist). */
  static List<Selection.Candidate> repositorySamples(Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    return Selection.scan(folder).stream()
        .filter(Selection.Candidate::openApi3)
        .map(
            c ->
                new Selection.Candidate(
                    c.file(), "examples/" + c.name(), c.bytes(), c.openApi3(), c.callbacks()))
        .toList();
  }

  private static List<Outcome> check(
      List<Selection.Candidate> candidates,
      Registrar registrar,
      ExecutorService workers,
      Options options,
      PrintStream log) {
    List<Outcome> outcomes = new ArrayList<>();
    for (Selection.Candidate c : candidates) {
      DocumentCheck check = new DocumentCheck(registrar, true, options.correlations());
      long started = System.nanoTime();
      Future<Outcome> future = workers.submit(() -> check.run(c));
      Outcome o = null;
      try {
        // The limit grows once registration has counted the awaitable keys: each key's delivery
        // may take up to its own budget, so a document with many keys (69) is measured, not cut.
        while (o == null) {
          long limit = timeLimitSeconds(options.timeoutSeconds(), check.awaitableKeys());
          long left = TimeUnit.SECONDS.toNanos(limit) - (System.nanoTime() - started);
          if (left <= 0) {
            future.cancel(true);
            o = check.abandoned(c, Outcome.Result.HANG, "no answer within " + limit + " s");
            break;
          }
          try {
            o = future.get(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
          } catch (TimeoutException notYet) {
            // look at the limit again: the key count may be known now
          }
        }
      } catch (ExecutionException e) {
        o = check.abandoned(c, Outcome.Result.CRASH, String.valueOf(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      outcomes.add(o);
      log.printf(Locale.ROOT, "%-60s %s%n", c.name(), CompatibilityReport.result(o));
    }
    return outcomes;
  }

  /** Registers the document twice more, now that the JVM is warm, and times the second. */
  private static CompatibilityReport.Timing warmRegistration(
      Selection.Candidate c,
      Registrar registrar,
      ExecutorService workers,
      Options options,
      PrintStream log) {
    Future<long[]> future =
        workers.submit(
            () -> {
              String text = Files.readString(c.file());
              ThreadMXBean threads = ManagementFactory.getThreadMXBean();
              registrar.register(text, null);
              long wall = System.nanoTime();
              long cpu = threads.getCurrentThreadCpuTime();
              Objects.requireNonNull(registrar.register(text, null).service(), "registered before");
              return new long[] {
                DocumentCheck.millisSince(wall),
                (threads.getCurrentThreadCpuTime() - cpu) / 1_000_000
              };
            });
    try {
      long[] t = future.get(options.timeoutSeconds(), TimeUnit.SECONDS);
      return new CompatibilityReport.Timing(c.name(), c.bytes(), t[0], t[1]);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      log.println("warm registration of " + c.name() + " failed: " + e);
      return new CompatibilityReport.Timing(c.name(), c.bytes(), -1, -1);
    }
  }
}
