package dev.extsvc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.runtime.internal.Json;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Invokes an operation through a running server's REST API; prints the answer and the invocation id. */
@Command(name = "invoke", description = "Invoke an operation on a running server.")
final class InvokeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--server", defaultValue = "http://127.0.0.1:8080", description = "server URL (default: ${DEFAULT-VALUE})")
  String server;

  @Parameters(index = "0", paramLabel = "SERVICE")
  String service;

  @Parameters(index = "1", paramLabel = "OPERATION")
  String operation;

  @Option(names = "--body", description = "request body as JSON")
  String body;

  @Option(names = "--param", description = "NAME=VALUE: a parameter, placed where the operation declares it (query by default)")
  Map<String, String> params = Map.of();

  @Option(names = "--header", description = "NAME=VALUE: a request header")
  Map<String, String> headers = Map.of();

  @Option(names = "--callback-timeout", description = "ISO-8601 duration, e.g. PT1H (default: 24 h)")
  String callbackTimeout;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ObjectNode in = Json.MAPPER.createObjectNode().put("service", service).put("operation", operation);
    ObjectNode request = in.putObject("request");
    headers.forEach(request.putObject("headers")::put);
    if (body != null) {
      try {
        request.set("body", Json.MAPPER.readTree(body));
      } catch (Exception e) {
        spec.commandLine().getErr().println("error: --body is not JSON: " + Objects.toString(e.getMessage(), "").lines().findFirst().orElse(""));
        return 2;
      }
    }
    params.forEach(in.putObject("params")::put);
    if (callbackTimeout != null) {
      in.put("callbackTimeout", callbackTimeout);
    }
    ApiClient.Answer answer = new ApiClient(server).post("/api/invocations", in.toString());
    JsonNode result = answer.json();
    if (answer.status() != 200) {
      spec.commandLine().getErr().println("error: " + result.path("message").asText(answer.body()));
      if (result.hasNonNull("invocationId")) {
        out.println("invocation " + result.get("invocationId").asText());
      }
      return 1;
    }
    out.println("HTTP " + result.get("statusCode").asInt());
    out.println(result.get("body").toPrettyString());
    out.println("invocation " + result.get("invocationId").asText());
    int code = result.get("statusCode").asInt();
    return code >= 200 && code < 300 ? 0 : 1;
  }
}
