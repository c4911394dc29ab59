package dev.extsvc.cli;

import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.mock.ProviderFaults;
import dev.extsvc.mock.RetrySchedule;
import dev.extsvc.mock.Scenario;
import dev.extsvc.mock.SharedAddress;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Runs the mock external service for a spec until stopped. */
@Command(
    name = "mock",
    mixinStandardHelpOptions = true,
    description =
        "Run a mock of the service a spec describes: answers and calls back, until Ctrl-C.")
final class MockCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "SPEC", description = "OpenAPI 3.0/3.1 document, JSON or YAML")
  Path file;

  @Option(
      names = "--port",
      defaultValue = "9090",
      description = "listen port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "listen address (default: ${DEFAULT-VALUE})")
  String host;

  @Option(
      names = "--delay",
      defaultValue = "2s",
      description = "delay before a callback: 500ms, 2s, 1m or PT2S (default: ${DEFAULT-VALUE})")
  Duration delay;

  @Option(
      names = "--rule",
      defaultValue = "round-robin",
      description =
          "which callback key to fire: fixed:KEY, round-robin or random:SEED (default: ${DEFAULT-VALUE}); "
              + "a request header X-Mock-Callback: KEY overrides it")
  String rule;

  @Option(
      names = "--retries",
      defaultValue = "3",
      description =
          "resend a callback answered 5xx (or 429 with Retry-After) or not connected this many"
              + " times; a 429/503's Retry-After sets the wait, at most the last backoff"
              + " (default: ${DEFAULT-VALUE})")
  int retries;

  @Option(
      names = "--retry-backoff",
      defaultValue = "500ms",
      description =
          "wait before the first resend; the n-th waits n times as long (default: ${DEFAULT-VALUE})")
  Duration retryBackoff;

  @Option(
      names = "--scenario",
      paramLabel = "STEPS",
      description =
          "several callbacks per request, one after another: KEY, KEY*TIMES or KEY*TIMES@INTERVAL,"
              + " comma-separated, e.g. 'status*3@500ms,done' (progress updates, then the final one);"
              + " each carries X-Mock-Sequence: its place in the plan")
  @Nullable String scenario;

  @Option(
      names = "--scenario-file",
      paramLabel = "FILE",
      description =
          "the scenario as YAML: steps: [{key, times, every}], duplicates, outOfOrder, jitter, seed")
  @Nullable Path scenarioFile;

  @Option(
      names = "--duplicates",
      defaultValue = "0",
      description =
          "with a scenario: send each callback this many extra times (default: ${DEFAULT-VALUE})")
  int duplicates;

  @Option(
      names = "--out-of-order",
      description = "with a scenario: shuffle the callbacks' send times (seeded by --seed)")
  boolean outOfOrder;

  @Option(
      names = "--jitter",
      defaultValue = "0ms",
      description = "with a scenario: a random extra delay up to this before each callback")
  Duration jitter;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description =
          "with a scenario: the seed of --out-of-order and --jitter (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--shared-address",
      paramLabel = "URL",
      description =
          "send the callbacks of keys awaited by correlation (x-extsvc-correlation) to this shared"
              + " address, e.g. http://127.0.0.1:8080/callbacks/services/Calls, carrying the"
              + " invocation's value and signed (--signature)")
  String sharedAddress;

  @Option(
      names = "--signature",
      paramLabel = "SCHEME",
      description =
          "how callbacks to the shared address are signed: standard-webhooks, github, stripe,"
              + " slack, shopify or twilio; the secret comes from the variable named by"
              + " --signature-secret-env")
  String signature;

  @Option(
      names = "--signature-secret-env",
      paramLabel = "NAME",
      defaultValue = "EXTSVC_MOCK_SIGNING_SECRET",
      description = "the variable holding the signing secret (default: ${DEFAULT-VALUE})")
  String signatureSecretEnv;

  @Option(
      names = "--callback-before-answer",
      description =
          "send each callback to the shared address, and wait for its answer, before the"
              + " synchronous answer (a provider whose event beats its response)")
  boolean beforeAnswer;

  @Option(
      names = "--fail-first",
      paramLabel = "N",
      defaultValue = "0",
      description = "answer the first N callouts 500, with no callback (default: ${DEFAULT-VALUE})")
  int failFirst;

  @Option(
      names = "--fail-share",
      paramLabel = "SHARE",
      defaultValue = "0",
      description =
          "answer this share (0..1) of the later callouts 500, evenly spread: 0.25 is every fourth"
              + " (default: ${DEFAULT-VALUE})")
  double failShare;

  @Option(
      names = "--late",
      paramLabel = "DURATION",
      defaultValue = "0ms",
      description = "wait this long before a synchronous answer, e.g. 35s (default: none)")
  Duration late;

  @Option(
      names = "--late-share",
      paramLabel = "SHARE",
      defaultValue = "1",
      description = "with --late: the share (0..1) of callouts answered late (default: all)")
  double lateShare;

  @Option(
      names = "--retry-schedule",
      paramLabel = "WAITS",
      description =
          "resend a callback after any non-2xx answer on this schedule, with the same"
              + " Idempotency-Key, until a 2xx: 'standard' (Standard Webhooks: 0s,5s,5m,30m,2h,5h,"
              + "10h,10h) or comma-separated waits, one per attempt; replaces --retries")
  @Nullable String retrySchedule;

  @Option(
      names = "--retry-scale",
      paramLabel = "FACTOR",
      defaultValue = "1",
      description =
          "with --retry-schedule: multiply every wait, e.g. 0.001 turns hours into seconds"
              + " (default: ${DEFAULT-VALUE})")
  double retryScale;

  @Option(
      names = "--verbose",
      description = "log the mock's INFO and DEBUG lines (default: warnings only)")
  boolean verbose;

  /** The scenario the options describe, or null without --scenario and --scenario-file. */
  private @Nullable Scenario scenario() throws java.io.IOException {
    if (scenario != null && scenarioFile != null) {
      throw new IllegalArgumentException("give --scenario or --scenario-file, not both");
    }
    Scenario s =
        scenarioFile != null
            ? Scenario.load(scenarioFile)
            : scenario != null ? Scenario.parse(scenario) : null;
    if (s == null) {
      if (duplicates != 0 || outOfOrder || !jitter.isZero()) {
        throw new IllegalArgumentException(
            "--duplicates, --out-of-order and --jitter need --scenario or --scenario-file");
      }
      return null;
    }
    if (scenarioFile != null) {
      return s;
    }
    return s.withDuplicates(duplicates).withOutOfOrder(outOfOrder, seed).withJitter(jitter);
  }

  /** The faults the options (or the scenario file) describe. */
  private ProviderFaults faults() throws java.io.IOException {
    boolean flags =
        failFirst != 0
            || failShare != 0
            || !late.isZero()
            || lateShare != 1
            || retrySchedule != null
            || retryScale != 1;
    if (retrySchedule == null && retryScale != 1) {
      throw new IllegalArgumentException("--retry-scale needs --retry-schedule");
    }
    if (scenarioFile != null) {
      ProviderFaults inFile = ProviderFaults.load(scenarioFile);
      if (!inFile.none()) {
        if (flags) {
          throw new IllegalArgumentException(
              "the scenario file says faults: give them there or as options, not both");
        }
        return inFile;
      }
    }
    return ProviderFaults.NONE
        .withFailFirst(failFirst)
        .withFailShare(failShare)
        .withLate(late, lateShare)
        .withRetrySchedule(
            retrySchedule == null ? null : RetrySchedule.parse(retrySchedule, retryScale));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Ports.requireFree(host, port);
    Logging.verbose(verbose);
    Registration r = Registrar.defaults().register(file, null);
    if (!r.ok()) {
      r.report().errors().forEach(d -> spec.commandLine().getErr().println(file + ": " + d));
      return 1;
    }
    KeyRule keyRule;
    try {
      keyRule = KeyRule.parse(rule);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 2;
    }
    if (retries < 0 || retryBackoff.isNegative()) {
      spec.commandLine()
          .getErr()
          .println("error: --retries and --retry-backoff must not be negative");
      return 2;
    }
    SharedAddress shared;
    try {
      shared = sharedAddress(System.getenv());
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 2;
    }
    ServiceDefinition service = Objects.requireNonNull(r.service(), "registered without errors");
    Scenario plan;
    ProviderFaults faults;
    try {
      plan = scenario();
      faults = faults();
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 2;
    }
    MockService.Builder builder = MockService.builder(service);
    if (plan != null) {
      try {
        builder.scenario(plan).build(); // checks the scenario's keys against the spec
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("error: " + e.getMessage());
        return 2;
      }
    }
    if (shared != null) {
      builder.sharedAddress(shared);
    }
    MockService mock =
        builder
            .host(host)
            .port(port)
            .callbackDelay(delay)
            .keyRule(keyRule)
            .retries(retries)
            .retryBackoff(retryBackoff)
            .faults(faults)
            .outcomeListener(
                d ->
                    out.printf(
                        "callback %s %s %s → %s%s%n",
                        d.key(),
                        d.method(),
                        d.maskedUrl(),
                        d.status() < 0 ? d.error() : d.status(),
                        d.attempts() > 1 ? " (attempt " + d.attempts() + ")" : ""))
            .build();
    try {
      mock.start();
    } catch (IllegalStateException e) { // the port was taken between the check and the start
      throw new CliException("port " + port + " is in use: choose another with --port");
    }
    out.printf(
        "mock of %s listening on %s (callbacks after %s, %s)%n",
        r.service().name(),
        mock.baseUrl(),
        delay,
        (plan == null ? "rule " + rule : "scenario " + describe(plan)) + describe(faults));
    out.flush();
    UntilStopped.await(mock);
    return 0;
  }

  private static String describe(ProviderFaults f) {
    StringBuilder b = new StringBuilder();
    if (f.failFirst() > 0) {
      b.append(", first ").append(f.failFirst()).append(" callout(s) answered 500");
    }
    if (f.failShare() > 0) {
      b.append(", ").append(f.failShare()).append(" of callouts answered 500");
    }
    if (!f.lateBy().isZero()) {
      b.append(", ")
          .append(f.lateShare() == 1 ? "answers" : f.lateShare() + " of answers")
          .append(' ')
          .append(f.lateBy().toMillis())
          .append("ms late");
    }
    RetrySchedule r = f.retrySchedule();
    if (r != null) {
      b.append(", callbacks retried up to ").append(r.attempts()).append(" attempts");
      if (r.scale() != 1) {
        b.append(" (waits x").append(r.scale()).append(')');
      }
    }
    return b.toString();
  }

  private static String describe(Scenario s) {
    StringBuilder b = new StringBuilder();
    for (Scenario.Step step : s.steps()) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(step.key());
      if (step.times() > 1 || !step.every().isZero()) {
        b.append('*').append(step.times());
      }
      if (!step.every().isZero()) {
        b.append('@').append(step.every().toMillis()).append("ms");
      }
    }
    if (s.duplicates() > 0) {
      b.append(", ").append(s.duplicates()).append(" duplicate(s) each");
    }
    if (s.outOfOrder()) {
      b.append(", out of order");
    }
    if (!s.jitter().isZero()) {
      b.append(", jitter up to ").append(s.jitter().toMillis()).append("ms");
    }
    return b.toString();
  }

  /** The shared address the options ask for, or null; the secret never appears in a message. */
  private @Nullable SharedAddress sharedAddress(Map<String, String> env) {
    if (sharedAddress == null) {
      if (signature != null || beforeAnswer) {
        throw new IllegalArgumentException(
            "--signature and --callback-before-answer go with --shared-address URL");
      }
      return null;
    }
    if (signature == null) {
      throw new IllegalArgumentException(
          "--shared-address needs --signature SCHEME: the receiver's shared address refuses"
              + " unsigned callbacks");
    }
    SharedAddress.Scheme scheme = SharedAddress.Scheme.of(signature);
    String secret = env.get(signatureSecretEnv);
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException(
          "--signature " + signature + " needs the secret in the variable " + signatureSecretEnv);
    }
    return new SharedAddress(
        sharedAddress, new SharedAddress.Signing(scheme, secret), beforeAnswer);
  }
}
