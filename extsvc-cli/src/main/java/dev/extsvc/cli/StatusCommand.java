package dev.extsvc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows an invocation: status, callbacks and the debug log. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show an invocation with its callbacks and debug log.")
final class StatusCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--server",
      defaultValue = "http://127.0.0.1:8080",
      description = "server URL (default: ${DEFAULT-VALUE})")
  String server;

  @Option(names = "--json", description = "print the API's JSON")
  boolean json;

  @Parameters(paramLabel = "ID", description = "invocation id")
  String id;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ApiClient.Answer answer = new ApiClient(server).get("/api/invocations/" + id);
    JsonNode inv = answer.json();
    if (answer.status() != 200) {
      spec.commandLine().getErr().println("error: " + inv.path("message").asText(answer.body()));
      return 1;
    }
    if (json) {
      out.println(inv.toPrettyString());
      return 0;
    }
    out.printf(
        "%s  %s.%s  %s%s%n",
        inv.get("id").asText(),
        inv.get("service").asText(),
        inv.get("operation").asText(),
        inv.get("status").asText(),
        inv.hasNonNull("reason") ? " (" + inv.get("reason").asText() + ")" : "");
    out.printf(
        "submitted %s%s%n",
        inv.get("submitTime").asText(),
        inv.hasNonNull("deadline") ? ", callback timeout " + inv.get("deadline").asText() : "");
    for (JsonNode cb : inv.path("callbacks")) {
      out.printf(
          "callback %s %s at %s: %s %s%n",
          cb.get("key").asText(),
          cb.get("method").asText(),
          cb.get("receivedAt").asText(),
          cb.get("outcome").asText(),
          cb.path("answerCode").asText(""));
      out.println("  " + cb.get("body").toString());
    }
    long refused = 0;
    for (JsonNode e : inv.path("events")) {
      String kind = e.path("kind").asText();
      refused += kind.equals("CALLBACK_REJECTED") || kind.equals("CALLBACK_LATE") ? 1 : 0;
    }
    if (refused > 0) {
      // A refused callback is stored nowhere else: without this line "no callback" would mislead.
      out.printf("%d callback(s) refused: the debug log says why%n", refused);
    }
    out.println("debug log:");
    for (JsonNode e : inv.path("events")) {
      out.printf(
          "  %s %-18s %s%n",
          e.get("at").asText(), e.get("kind").asText(), e.get("message").asText());
    }
    return 0;
  }
}
