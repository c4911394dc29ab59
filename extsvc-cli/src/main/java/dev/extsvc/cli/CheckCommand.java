package dev.extsvc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.config.ExtsvcConfig;
import dev.extsvc.config.ServiceConfig;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.CallbackRole;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.SecurityRequirement;
import dev.extsvc.spec.ServiceDefinition;
import dev.extsvc.spec.ServiceSecurity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Prints the registration report of a spec: per asynchronous operation, each callback key, where
 * the runtime writes its URL and whether it can be awaited (and why not); then every diagnostic
 * with its line. Exit 1 when the spec is refused.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = "Register a spec and print the report (exit 1 on errors).")
final class CheckCommand implements Callable<Integer> {
  private static final long MB = 1024L * 1024;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "SPEC", description = "OpenAPI 3.0/3.1 document, JSON or YAML")
  Path file;

  @Option(names = "--name", description = "service name (default: info.title)")
  @Nullable String name;

  @Option(names = "--format", defaultValue = "text", description = "text or json")
  String format;

  @Option(
      names = "--all-operations",
      description = "list synchronous operations too, one line each")
  boolean allOperations;

  @Option(
      names = "--max-json-mb",
      paramLabel = "MB",
      description = "refuse JSON documents larger than this (default: 10)")
  long maxJsonMb = Registrar.DEFAULT_MAX_JSON_BYTES / MB;

  @Option(
      names = "--max-yaml-mb",
      paramLabel = "MB",
      description = "refuse YAML documents larger than this (default: 3)")
  long maxYamlMb = Registrar.DEFAULT_MAX_YAML_BYTES / MB;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "extsvc.yaml: also say whether its credentials for the service cover each operation's security")
  @Nullable Path config;

  /** The credentials the configuration gives the service, or null without --config. */
  private @Nullable List<Credential> configured;

  /** The callback roles the configuration gives the service's keys, by operation and key. */
  private Map<String, Map<String, CallbackRole>> configuredRoles = Map.of();

  @Override
  public Integer call() {
    if (!format.equals("text") && !format.equals("json")) {
      throw new ParameterException(
          spec.commandLine(), "--format must be text or json, not '" + format + "'");
    }
    if (maxJsonMb <= 0 || maxYamlMb <= 0) {
      throw new ParameterException(
          spec.commandLine(), "--max-json-mb and --max-yaml-mb must be positive");
    }
    Registrar registrar =
        Registrar.builder().maxJsonBytes(maxJsonMb * MB).maxYamlBytes(maxYamlMb * MB).build();
    // Body schemas compiled as the runtime compiles them: one it cannot validate is a finding.
    ExtsvcConfig c =
        config == null
            ? null
            : ExtsvcConfig.load(config, System.getenv()); // a ConfigException says the line
    if (c != null) {
      // the configuration's correlation rules make their keys awaitable, as `serve` registers them
      registrar =
          registrar.withCorrelations(
              c.services().values().stream().flatMap(s -> s.correlations().stream()).toList());
    }
    Registration r = ExternalServices.checkCallbackSchemas(registrar.register(file, name), false);
    if (c != null && r.service() != null) {
      ServiceConfig sc = c.services().get(r.service().name());
      configuredRoles = sc == null ? Map.of() : sc.settings().callbackRoles();
      configured =
          sc == null
              ? List.of()
              : sc.settings().credentials().stream().map(n -> c.credentials().get(n)).toList();
    }
    return print(r, spec.commandLine().getOut());
  }

  /**
   * Registers the spec with the default limits and no configuration, and prints the report: the
   * command as {@link FastPath} runs it, its options already checked.
   */
  static int run(
      Path file, @Nullable String name, String format, boolean allOperations, PrintWriter out) {
    CheckCommand command = new CheckCommand();
    command.file = file;
    command.name = name;
    command.format = format;
    command.allOperations = allOperations;
    Registration r =
        ExternalServices.checkCallbackSchemas(Registrar.defaults().register(file, name), false);
    return command.print(r, out);
  }

  private int print(Registration r, PrintWriter out) {
    if (format.equals("json")) {
      out.println(json(r).toPrettyString());
    } else {
      text(r, out);
    }
    return r.report().hasErrors() ? 1 : 0;
  }

  /** A callback key with its definitions (one per expression and method), in declaration order. */
  private record Key(String name, List<CallbackDefinition> definitions) {
    boolean awaitable() {
      return definitions.stream().anyMatch(d -> d.awaitable() || d.awaitableByCorrelation());
    }

    boolean byCorrelation() {
      return definitions.stream().anyMatch(CallbackDefinition::awaitableByCorrelation);
    }
  }

  private static List<Key> keys(Operation op) {
    Map<String, List<CallbackDefinition>> byKey = new LinkedHashMap<>();
    op.callbacks().forEach(c -> byKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c));
    return byKey.entrySet().stream().map(e -> new Key(e.getKey(), e.getValue())).toList();
  }

  private void text(Registration r, PrintWriter out) {
    ServiceDefinition s = r.service();
    if (s != null) {
      List<Operation> async = s.operations().stream().filter(Operation::async).toList();
      List<Key> keys = async.stream().flatMap(op -> keys(op).stream()).toList();
      out.printf(
          "Service %s %s (OpenAPI %s): %d operations, %d asynchronous, %d callback keys (%d can be"
              + " awaited%s)%n",
          s.name(),
          s.version(),
          s.openApiVersion(),
          s.operations().size(),
          async.size(),
          keys.size(),
          keys.stream().filter(Key::awaitable).count(),
          keys.stream().anyMatch(Key::byCorrelation)
              ? ", " + keys.stream().filter(Key::byCorrelation).count() + " by correlation"
              : "");
      for (Operation op : s.operations()) {
        if (op.async()) {
          out.printf("  %s %s %s  asynchronous%n", op.id(), op.method(), op.path());
          keys(op).forEach(k -> keyLines(k, out));
          roles(op, out);
        } else if (allOperations) {
          out.printf("  %s %s %s  synchronous%n", op.id(), op.method(), op.path());
        }
      }
      if (!s.basePath().isEmpty()) {
        out.printf(
            "  base path %s (the spec's first server URL): an endpoint given without a path, such as"
                + " --endpoint '%s=http://127.0.0.1:9090', calls http://127.0.0.1:9090%s/...%n",
            s.basePath(), s.name(), s.basePath());
      }
      long sync = s.operations().size() - async.size();
      if (sync > 0 && !allOperations) {
        out.printf(
            "  (%d synchronous operation%s not listed; --all-operations lists them)%n",
            sync, sync == 1 ? "" : "s");
      }
      security(s, out);
    }
    if (!r.report().diagnostics().isEmpty()) {
      out.println("Diagnostics:");
      for (Diagnostic d : r.report().diagnostics()) {
        out.println("  " + d);
      }
    }
    if (r.report().errors().stream().anyMatch(d -> d.message().contains("; the limit for "))) {
      out.println("(--max-json-mb and --max-yaml-mb raise the size limits)");
    }
    out.printf(
        "%s: %d error(s), %d warning(s)%n",
        r.ok() ? "registered" : "refused",
        r.report().errors().size(),
        r.report().warnings().size());
  }

  /**
   * Per operation that needs one, the credential kinds that satisfy its security, and whether they
   * are configured.
   */
  private void security(ServiceDefinition s, PrintWriter out) {
    ServiceSecurity security = ServiceSecurity.of(s);
    List<Operation> needing =
        s.operations().stream()
            .filter(op -> !SecurityNeeds.describe(security.requirements(op.id())).equals("none"))
            .toList();
    if (needing.isEmpty()) {
      out.println("Security: no operation needs a credential");
      return;
    }
    out.println(
        "Security: the credential kinds each operation needs (--credential of serve, or extsvc.yaml)");
    for (Operation op : needing) {
      List<SecurityRequirement> requirements = security.requirements(op.id());
      out.printf(
          "  %s: %s%s%n", op.id(), SecurityNeeds.describe(requirements), coverage(s, requirements));
    }
    if (configured == null) {
      out.println("  (--config extsvc.yaml says whether its credentials cover them)");
    }
  }

  private String coverage(ServiceDefinition s, List<SecurityRequirement> requirements) {
    if (configured == null) {
      return "";
    }
    return SecurityNeeds.covered(requirements, configured)
        ? "  covered by " + configured.stream().map(Credential::name).toList()
        : "  NOT covered: "
            + (configured.isEmpty()
                ? "the configuration gives " + s.name() + " no credential"
                : "its credentials "
                    + configured.stream()
                        .map(c -> c.name() + " (" + c.kind().configName() + ")")
                        .toList()
                    + " do not match");
  }

  /**
   * One line per key with its verdict; a key with several expressions or methods gets a line for
   * each more.
   */
  private static void keyLines(Key k, PrintWriter out) {
    List<CallbackDefinition> defs = k.definitions();
    for (int i = 0; i < defs.size(); i++) {
      CallbackDefinition c = defs.get(i);
      out.printf(
          "    %s %s %s %s: %s%n",
          i == 0 ? "callback" : "    also",
          i == 0 ? k.name() : "",
          c.method(),
          c.expression(),
          verdict(c));
    }
  }

  /** A key's role: the configuration's when it gives one, else the document's. */
  private CallbackRole role(Operation op, String key, CallbackRole declared) {
    return configuredRoles.getOrDefault(op.id(), Map.of()).getOrDefault(key, declared);
  }

  /**
   * For an operation with progress or heartbeat keys, which keys complete it and which do not; an
   * operation whose keys are all final (the usual case) gets no line.
   */
  private void roles(Operation op, PrintWriter out) {
    List<String> finals = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (Key k : keys(op)) {
      CallbackRole r = role(op, k.name(), k.definitions().get(0).role());
      if (r.finalKey()) {
        finals.add(k.name());
      } else {
        others.add(k.name() + " (" + r.describe() + ")");
      }
    }
    if (!others.isEmpty()) {
      out.printf(
          "    final keys (a handled callback completes the invocation): %s; not final: %s%n",
          finals.isEmpty() ? "none" : String.join(", ", finals), String.join(", ", others));
    }
  }

  static String verdict(CallbackDefinition c) {
    String correlated =
        c.awaitableByCorrelation()
            ? "awaitable by correlation at the shared address /callbacks/services/{service} ("
                + c.correlation()
                + "; needs a callback signature)"
            : null;
    if (c.target() == null) {
      return correlated != null
          ? correlated + "; the runtime cannot own its URL: " + c.notAwaitableReason()
          : "cannot be awaited: " + c.notAwaitableReason();
    }
    if (correlated != null) {
      return correlated + "; also at its own URL in the " + c.target().describe();
    }
    return "URL written to the "
        + c.target().describe()
        + (c.suffix().isEmpty() ? "" : ", followed by '" + c.suffix() + "'")
        + (c.suffixVaries()
            ? " (evaluated from each invocation's request, matched exactly when the callback arrives)"
            : "");
  }

  private ObjectNode json(Registration r) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("registered", r.ok());
    out.put("errors", r.report().errors().size()).put("warnings", r.report().warnings().size());
    if (r.service() != null) {
      ServiceDefinition s = r.service();
      out.put("service", s.name()).put("version", s.version()).put("openapi", s.openApiVersion());
      out.put("basePath", s.basePath());
      ArrayNode ops = out.putArray("operations");
      for (Operation op : s.operations()) {
        ObjectNode o =
            ops.addObject()
                .put("id", op.id())
                .put("method", op.method())
                .put("path", op.path())
                .put("pointer", op.pointer())
                .put("async", op.async());
        List<SecurityRequirement> requirements = ServiceSecurity.of(s).requirements(op.id());
        o.put("credentialNeeded", SecurityNeeds.describe(requirements));
        if (configured != null) {
          o.put("credentialCovered", SecurityNeeds.covered(requirements, configured));
        }
        ArrayNode keys = o.putArray("keys");
        for (Key k : keys(op)) {
          CallbackRole keyRole = role(op, k.name(), k.definitions().get(0).role());
          ObjectNode key =
              keys.addObject()
                  .put("key", k.name())
                  .put("awaitable", k.awaitable())
                  .put("byCorrelation", k.byCorrelation())
                  .put("final", keyRole.finalKey());
          java.time.Duration heartbeat = keyRole.heartbeat();
          if (heartbeat != null) {
            key.put("heartbeat", heartbeat.toString());
          }
        }
        ArrayNode cbs = o.putArray("callbacks");
        for (CallbackDefinition c : op.callbacks()) {
          ObjectNode cb =
              cbs.addObject()
                  .put("key", c.key())
                  .put("method", c.method())
                  .put("expression", c.expression())
                  .put("pointer", c.pointer())
                  .put("awaitable", c.awaitable())
                  .put("awaitableByCorrelation", c.awaitableByCorrelation());
          cb.put("target", c.target() == null ? null : c.target().id());
          cb.put("literalSuffix", c.literalSuffix());
          cb.put("suffix", c.suffix());
          cb.put("reason", c.notAwaitableReason());
          cb.put("verdict", verdict(c));
        }
      }
    }
    ArrayNode diags = out.putArray("diagnostics");
    for (Diagnostic d : r.report().diagnostics()) {
      diags
          .addObject()
          .put("severity", d.severity().name())
          .put("pointer", d.pointer())
          .put("line", d.line())
          .put("message", d.message());
    }
    return out;
  }
}
