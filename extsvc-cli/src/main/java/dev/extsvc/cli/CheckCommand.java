package dev.extsvc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.runtime.internal.Json;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints the registration report of a spec; exit 1 when it has errors. */
@Command(name = "check", description = "Register a spec and print the report (exit 1 on errors).")
final class CheckCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "SPEC", description = "OpenAPI 3.0/3.1 document, JSON or YAML")
  Path file;

  @Option(names = "--name", description = "service name (default: info.title)")
  String name;

  @Option(names = "--format", defaultValue = "text", description = "text or json")
  String format;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Registration r = Registrar.defaults().register(file, name);
    if (format.equals("json")) {
      out.println(json(r).toPrettyString());
    } else {
      text(r, out);
    }
    return r.report().hasErrors() ? 1 : 0;
  }

  private void text(Registration r, PrintWriter out) {
    ServiceDefinition s = r.service();
    if (s != null) {
      out.printf("Service %s %s (OpenAPI %s): %d operations%n", s.name(), s.version(), s.openApiVersion(),
          s.operations().size());
      for (Operation op : s.operations()) {
        out.printf("  %s %s %s  %s%n", op.id(), op.method(), op.path(), op.async() ? "asynchronous" : "synchronous");
        for (CallbackDefinition c : op.callbacks()) {
          String where = c.awaitable() ? "URL written to the " + c.target().describe()
              : "cannot be awaited: " + c.notAwaitableReason();
          out.printf("    callback %s %s %s: %s%n", c.key(), c.method(), c.expression(), where);
        }
      }
    }
    for (Diagnostic d : r.report().diagnostics()) {
      out.println(d);
    }
    out.printf("%s: %d error(s), %d warning(s)%n", r.ok() ? "registered" : "refused",
        r.report().errors().size(), r.report().warnings().size());
  }

  private static ObjectNode json(Registration r) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("registered", r.ok());
    if (r.service() != null) {
      ServiceDefinition s = r.service();
      out.put("service", s.name()).put("version", s.version()).put("openapi", s.openApiVersion());
      ArrayNode ops = out.putArray("operations");
      for (Operation op : s.operations()) {
        ObjectNode o = ops.addObject().put("id", op.id()).put("method", op.method()).put("path", op.path())
            .put("async", op.async());
        ArrayNode cbs = o.putArray("callbacks");
        for (CallbackDefinition c : op.callbacks()) {
          ObjectNode cb = cbs.addObject().put("key", c.key()).put("method", c.method())
              .put("expression", c.expression()).put("awaitable", c.awaitable());
          cb.put("target", c.target() == null ? null : c.target().id());
          cb.put("reason", c.notAwaitableReason());
        }
      }
    }
    ArrayNode diags = out.putArray("diagnostics");
    for (Diagnostic d : r.report().diagnostics()) {
      diags.addObject().put("severity", d.severity().name()).put("pointer", d.pointer()).put("line", d.line())
          .put("message", d.message());
    }
    return out;
  }
}
