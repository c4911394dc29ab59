package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads an operation's {@code callbacks}: one {@link CallbackDefinition} per key, expression and
 * method, each with the place where the runtime writes its URL or the reason it cannot await it.
 */
final class CallbackReader {
  static final String FINAL = "x-extsvc-final";
  static final String HEARTBEAT = "x-extsvc-heartbeat";

  private final Refs refs;
  private final ModelParts parts;
  private final Findings findings;

  CallbackReader(Refs refs, ModelParts parts, Findings findings) {
    this.refs = refs;
    this.parts = parts;
    this.findings = findings;
  }

  List<CallbackDefinition> read(Operation operation, JsonNode node) {
    List<CallbackDefinition> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> key : node.path("callbacks").properties()) {
      if (key.getKey().startsWith("x-")) {
        continue;
      }
      String keyPointer = JsonPointers.append(operation.pointer() + "/callbacks", key.getKey());
      // a broken $ref is reported by Refs where it is written
      Refs.Target callback = refs.follow(key.getValue(), keyPointer);
      if (callback != null) {
        out.addAll(readKey(operation, key.getKey(), keyPointer, callback));
      }
    }
    return out;
  }

  private List<CallbackDefinition> readKey(
      Operation operation, String key, String keyPointer, Refs.Target callback) {
    List<CallbackDefinition> out = new ArrayList<>();
    Correlation correlation = correlation(key, callback);
    CallbackRole role = role(key, callback);
    for (Map.Entry<String, JsonNode> entry : callback.node().properties()) {
      if (!entry.getKey().startsWith("x-")) {
        out.addAll(
            readExpression(
                operation,
                key,
                entry.getKey(),
                JsonPointers.append(callback.pointer(), entry.getKey()),
                entry.getValue(),
                correlation != null));
      }
    }
    if (correlation != null) {
      out.replaceAll(d -> d.withCorrelation(correlation));
    }
    out.replaceAll(d -> d.withRole(role));
    if (out.isEmpty()) {
      findings.warning(
          keyPointer, "callback " + key + " declares no operation, so it can never be awaited");
    } else if (out.stream().noneMatch(d -> d.awaitable() || d.awaitableByCorrelation())) {
      // the reasons are reported where each URL or method is written; this says what they add up to
      findings.warning(
          keyPointer,
          "callback "
              + key
              + " can never be awaited: the runtime cannot own "
              + (out.size() == 1 ? "its URL" : "any of its " + out.size() + " URLs"));
    }
    return out;
  }

  /**
   * The key's {@code x-extsvc-correlation} rule ({@code invocation} and {@code callback} runtime
   * expressions), or null when it declares none or declares one wrongly (an error where it is).
   */
  private @Nullable Correlation correlation(String key, Refs.Target callback) {
    JsonNode rule = callback.node().get(Correlation.EXTENSION);
    if (rule == null) {
      return null;
    }
    String pointer = JsonPointers.append(callback.pointer(), Correlation.EXTENSION);
    JsonNode invocation = rule.get("invocation");
    JsonNode received = rule.get("callback");
    if (!rule.isObject()
        || invocation == null
        || !invocation.isTextual()
        || received == null
        || !received.isTextual()) {
      findings.error(
          pointer,
          "callback "
              + key
              + ": "
              + Correlation.EXTENSION
              + " must be an object with the runtime expressions 'invocation' (e.g."
              + " \"$response.body#/id\") and 'callback' (e.g. \"$request.body#/data/id\")");
      return null;
    }
    try {
      return Correlation.parse(invocation.textValue(), received.textValue());
    } catch (IllegalArgumentException e) {
      findings.error(pointer, "callback " + key + ": " + e.getMessage());
      return null;
    }
  }

  /**
   * The key's role from the Callback Object's extensions {@code x-extsvc-final} (a boolean) and
   * {@code x-extsvc-heartbeat} (an ISO-8601 duration; a heartbeat key is a progress key); a bad
   * value is an error at its pointer, and the key stays final.
   */
  private CallbackRole role(String key, Refs.Target callback) {
    JsonNode finalNode = callback.node().get(FINAL);
    JsonNode heartbeatNode = callback.node().get(HEARTBEAT);
    @Nullable Boolean finalKey = null;
    if (finalNode != null) {
      if (!finalNode.isBoolean()) {
        findings.error(
            JsonPointers.append(callback.pointer(), FINAL),
            "callback " + key + ": " + FINAL + " must be true or false, was " + finalNode);
        return CallbackRole.FINAL;
      }
      finalKey = finalNode.booleanValue();
    }
    if (heartbeatNode == null) {
      return finalKey == null || finalKey ? CallbackRole.FINAL : CallbackRole.PROGRESS;
    }
    String heartbeatPointer = JsonPointers.append(callback.pointer(), HEARTBEAT);
    @Nullable Duration every = null;
    if (heartbeatNode.isTextual()) {
      try {
        every = Duration.parse(heartbeatNode.textValue());
      } catch (DateTimeParseException e) {
        every = null;
      }
    }
    if (every == null || every.isNegative() || every.isZero()) {
      findings.error(
          heartbeatPointer,
          "callback "
              + key
              + ": "
              + HEARTBEAT
              + " must be a positive ISO-8601 duration such as \"PT1H\", was "
              + heartbeatNode);
      return finalKey == null || finalKey ? CallbackRole.FINAL : CallbackRole.PROGRESS;
    }
    if (Boolean.TRUE.equals(finalKey)) {
      findings.error(
          heartbeatPointer,
          "callback "
              + key
              + ": a heartbeat key is a progress key, so it cannot also be "
              + FINAL
              + ": true");
      return CallbackRole.FINAL;
    }
    return CallbackRole.heartbeat(every);
  }

  private List<CallbackDefinition> readExpression(
      Operation operation,
      String key,
      String expression,
      String pointer,
      JsonNode value,
      boolean correlated) {
    List<CallbackDefinition> out = new ArrayList<>();
    Refs.Target item = refs.follow(value, pointer);
    if (item == null) {
      return out;
    }
    CallbackTargets.Decision decision = CallbackTargets.decide(expression, operation);
    ExpressionTemplate template = parsedOrNull(expression);
    if (decision.target() == null && !(correlated && !decision.error())) {
      // a correlated key is awaited at the shared address: that its URL is not the runtime's is
      // what correlation is for, not a finding
      String message = "callback " + key + " cannot be awaited: " + decision.reason();
      if (decision.error()) {
        findings.error(pointer, message);
      } else {
        findings.warning(pointer, message);
      }
    }
    decision.warnings().forEach(w -> findings.warning(pointer, "callback " + key + ": " + w));
    for (Iterator<String> names = item.node().fieldNames(); names.hasNext(); ) {
      String method = names.next();
      JsonNode op = item.node().get(method);
      if (!OperationReader.METHODS.contains(method) || !op.isObject()) {
        continue;
      }
      String opPointer = item.pointer() + "/" + method;
      String upper = method.toUpperCase(Locale.ROOT);
      InjectionTarget target = decision.target();
      String reason = decision.reason();
      if (!upper.equals("POST") && !upper.equals("PUT")) {
        findings.warning(
            opPointer,
            "callback "
                + key
                + " is a "
                + upper
                + " request; only PUT and POST callbacks can be received");
        if (target != null) {
          target = null;
          reason = "only PUT and POST callbacks can be received; this one is " + upper;
        }
      }
      RequestBody body = parts.requestBody(op, opPointer);
      if (target != null) {
        warnIfItMayCarryNoData(key, upper, opPointer, body);
      }
      String description = ModelParts.text(op, "description");
      out.add(
          new CallbackDefinition(
              key,
              expression,
              template,
              upper,
              opPointer,
              target,
              decision.literalSuffix(),
              reason,
              parts.parameters(item.node(), item.pointer(), op, opPointer),
              body,
              parts.responses(op, opPointer),
              description != null ? description : ModelParts.text(op, "summary")));
    }
    return out;
  }

  /**
   * The spec lets such a callback arrive empty (no body, or JSON {@code null} where no schema says
   * otherwise) and it completes its invocation all the same; a handler should know it may get no
   * data.
   */
  private void warnIfItMayCarryNoData(
      String key, String method, String pointer, @Nullable RequestBody body) {
    String why;
    if (body == null) {
      why = "declares no request body";
    } else if (!body.required()) {
      why = "does not require its request body (requestBody.required is not true)";
    } else if (body.schema() == null) {
      why = "gives its request body no schema";
    } else {
      return;
    }
    findings.warning(
        pointer,
        "callback "
            + key
            + " ("
            + method
            + ") "
            + why
            + ", so such a callback may carry no data (an empty body"
            + (body != null && body.schema() != null ? "" : " or JSON null")
            + ") and still complete its invocation; a handler must expect that");
  }

  private static @Nullable ExpressionTemplate parsedOrNull(String expression) {
    try {
      return ExpressionTemplate.parse(expression);
    } catch (ExpressionException e) {
      return null;
    }
  }
}
