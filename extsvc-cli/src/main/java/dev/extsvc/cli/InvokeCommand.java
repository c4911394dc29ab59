package dev.extsvc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Invokes an operation through a running server's REST API; prints the answer and the invocation
 * id.
 */
@Command(
    name = "invoke",
    mixinStandardHelpOptions = true,
    description =
        "Invoke an operation on a running server; prints the answer and the invocation id.")
final class InvokeCommand implements Callable<Integer> {
  /**
   * A request the operation's declaration refuses is a malformed argument, as `extsvc help` says.
   */
  static final int USAGE = 2;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--server",
      defaultValue = "http://127.0.0.1:8080",
      description = "server URL (default: ${DEFAULT-VALUE})")
  String server;

  @Parameters(
      index = "0",
      paramLabel = "SERVICE",
      description = "the service's name, e.g. \"Acme Mortgages\"")
  String service;

  @Parameters(
      index = "1",
      paramLabel = "OPERATION",
      description = "the operation's id, e.g. SubmitApplication")
  String operation;

  @Option(names = "--body", description = "request body as JSON")
  String body;

  @Option(
      names = "--param",
      description =
          "NAME=VALUE: a parameter, placed where the operation declares it (query by default)")
  Map<String, String> params = Map.of();

  @Option(names = "--header", description = "NAME=VALUE: a request header")
  Map<String, String> headers = Map.of();

  @Option(
      names = "--callback-timeout",
      paramLabel = "DURATION",
      description =
          "how long to wait for a callback, as in extsvc.yaml: 30s, 5m, 4h, 2d or PT4H (default: 24h)")
  Duration callbackTimeout;

  @Option(
      names = "--no-validate",
      description =
          "send the request even when it breaks the operation's declaration (by default the server"
              + " checks parameters and body against the spec and refuses, exit code 2)")
  boolean noValidate;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ObjectNode in =
        Json.MAPPER.createObjectNode().put("service", service).put("operation", operation);
    ObjectNode request = in.putObject("request");
    headers.forEach(request.putObject("headers")::put);
    if (body != null) {
      request.set("body", JsonArgument.parse(spec, "--body", body));
    }
    params.forEach(in.putObject("params")::put);
    if (callbackTimeout != null) {
      in.put("callbackTimeout", callbackTimeout.toString());
    }
    if (noValidate) {
      in.put("validate", false);
    }
    ApiClient.Answer answer = new ApiClient(server).post("/api/invocations", in.toString());
    JsonNode result = answer.json();
    if (answer.status() == 400 && result.path("problems").isArray()) {
      return refused(result);
    }
    if (answer.status() != 200) {
      spec.commandLine().getErr().println("error: " + result.path("message").asText(answer.body()));
      if (result.hasNonNull("invocationId")) {
        out.println("invocation " + result.get("invocationId").asText());
      }
      return 1;
    }
    out.println("HTTP " + result.get("statusCode").asInt());
    printBody(result.path("body"), out);
    out.println("invocation " + result.get("invocationId").asText());
    int code = result.get("statusCode").asInt();
    return code >= 200 && code < 300 ? 0 : 1;
  }

  /**
   * A request refused before it was sent: what is wrong, where (JSON pointers into the request:
   * /body/..., /query/NAME, /path/NAME, /headers/NAME) and how to send it anyway.
   */
  private int refused(JsonNode result) {
    PrintWriter err = spec.commandLine().getErr();
    JsonNode problems = result.get("problems");
    err.println(
        "error: the request breaks the declaration of "
            + service
            + "."
            + operation
            + "; nothing was sent (--no-validate sends it anyway):");
    problems.forEach(
        p -> err.println("  " + p.path("pointer").asText() + ": " + p.path("message").asText()));
    return USAGE;
  }

  /**
   * The answer's body as received: JSON pretty-printed, text as it is, nothing for an empty body.
   */
  static void printBody(JsonNode body, PrintWriter out) {
    if (body.isMissingNode() || body.isNull()) {
      return; // an empty answer, e.g. a 200 the spec never declared, has nothing to print
    }
    out.println(body.isTextual() ? body.asText() : body.toPrettyString());
  }
}
