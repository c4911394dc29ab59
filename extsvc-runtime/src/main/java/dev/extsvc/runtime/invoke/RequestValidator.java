package dev.extsvc.runtime.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.extsvc.runtime.RequestProblem;
import dev.extsvc.runtime.registry.OperationPlan;
import dev.extsvc.runtime.registry.ServicePlan;
import dev.extsvc.runtime.support.PayloadValidator;
import dev.extsvc.runtime.support.Tokens;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Parameter;
import dev.extsvc.spec.RequestBody;
import dev.extsvc.spec.RequestParts;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Checks a request against its operation before it is sent: required parameters present, scalar
 * parameters and the body valid against their schemas. The callback URLs are written into a copy
 * first, as the invocation would write them, so that a schema requiring the callback URL member is
 * satisfied. Schemas are compiled once per operation plan.
 */
public final class RequestValidator {
  /**
   * What stands for a token in the callback URLs written before checking: a token's shape (a schema
   * may constrain the URL), no randomness (none is needed, and minting one per check cost a draw of
   * the shared SecureRandom).
   */
  static final String PLACEHOLDER_TOKEN = "A".repeat(Tokens.LENGTH);

  private final Supplier<String> publicBaseUrl;
  private final String callbackPath;
  // keyed by plan identity (OperationPlan has no equals): a re-registered service gets new plans,
  // and the old ones' validators go with them
  private final Map<OperationPlan, Compiled> compiled =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The operation's schemas, compiled; a name absent from {@code parameters} has no schema. {@code
   * lastChecked} holds, per parameter, the last value checked and the validator's messages for it:
   * the callback URL written into a parameter is the same placeholder in every request, and parsing
   * it again for the schema was a fifth of the check.
   */
  private record Compiled(
      @Nullable PayloadValidator body,
      Map<Parameter, PayloadValidator> parameters,
      Map<Parameter, Checked> lastChecked) {}

  /** A parameter's value and what its schema said of it. */
  private record Checked(String value, List<String> messages) {}

  /**
   * @param publicBaseUrl as the invoke stage reads it, without a trailing slash
   */
  public RequestValidator(Supplier<String> publicBaseUrl, String callbackPath) {
    this.publicBaseUrl = publicBaseUrl;
    this.callbackPath = callbackPath;
  }

  /** The problems of a request to an operation of a service; empty when it may be sent. */
  public List<RequestProblem> validate(ServicePlan service, String operationId, RequestParts in) {
    OperationPlan plan = service.requireOperation(operationId);
    RequestParts request = in.copy();
    // a placeholder of a real token's shape where the invocation will write each callback URL
    String url = publicBaseUrl.get() + callbackPath + "/" + PLACEHOLDER_TOKEN;
    List<RequestProblem> problems = new ArrayList<>();
    for (OperationPlan.Target t : plan.targets()) {
      try {
        t.target().inject(request, url);
      } catch (IllegalArgumentException e) {
        problems.add(
            new RequestProblem(
                pointerOf(t.target().id()),
                "cannot write the callback URL for " + t.keys() + " here: " + e.getMessage()));
      }
    }
    Compiled schemas =
        compiled.computeIfAbsent(
            plan, p -> compile(p.operation(), service.definition().openApiVersion()));
    Operation op = plan.operation();
    for (Parameter p : op.parameters()) {
      checkParameter(p, request, schemas, problems);
    }
    RequestBody declared = op.requestBody();
    JsonNode body = request.body();
    // asked of the caller's request: the callback URLs written into the body do not make one
    if (declared != null && in.body() == null && declared.required()) {
      problems.add(new RequestProblem("/body", "the operation requires a request body"));
    } else if (body != null && schemas.body() != null) {
      schemas.body().validate(body.toString()).forEach(m -> problems.add(located("/body", m)));
    }
    return List.copyOf(problems);
  }

  private static Compiled compile(Operation op, String openApiVersion) {
    PayloadValidator body = null;
    if (op.requestBody() != null && op.requestBody().schema() != null) {
      body = PayloadValidator.compile(op.requestBody().schema(), openApiVersion);
    }
    Map<Parameter, PayloadValidator> parameters = new java.util.HashMap<>();
    for (Parameter p : op.parameters()) {
      if (p.schema() != null && scalar(p.schema())) {
        parameters.put(p, PayloadValidator.compile(p.schema(), openApiVersion));
      }
    }
    return new Compiled(body, Map.copyOf(parameters), new ConcurrentHashMap<>());
  }

  private static void checkParameter(
      Parameter p, RequestParts request, Compiled schemas, List<RequestProblem> problems) {
    @Nullable List<String> values =
        switch (p.in()) {
          case PATH -> present(request.path().get(p.name()));
          case HEADER -> present(request.headers().get(p.name()));
          case QUERY -> request.query().getOrDefault(p.name(), List.of());
          case COOKIE -> null; // sent inside the Cookie header, not checked one by one
        };
    if (values == null) {
      return;
    }
    String pointer = "/" + sectionOf(p) + "/" + escape(p.name());
    if (values.isEmpty()) {
      if (p.required()) {
        problems.add(
            new RequestProblem(
                pointer, "required " + p.in().name().toLowerCase() + " parameter missing"));
      }
      return;
    }
    PayloadValidator schema = schemas.parameters().get(p);
    if (schema == null) {
      return;
    }
    for (String value : values) {
      Checked last = schemas.lastChecked().get(p);
      List<String> messages;
      if (last != null && last.value().equals(value)) {
        messages = last.messages(); // the same text, the same schema: the same answer
      } else {
        messages = schema.validate(typed(value, p.schema()).toString());
        schemas.lastChecked().put(p, new Checked(value, messages));
      }
      messages.forEach(m -> problems.add(located(pointer, m)));
    }
  }

  private static List<String> present(@Nullable String value) {
    return value == null ? List.of() : List.of(value);
  }

  private static String sectionOf(Parameter p) {
    return switch (p.in()) {
      case PATH -> "path";
      case HEADER, COOKIE -> "headers";
      case QUERY -> "query";
    };
  }

  /** Whether a parameter's schema is one a single text value can be checked against. */
  private static boolean scalar(JsonNode schema) {
    String type = schema.path("type").asText("");
    return List.of("string", "integer", "number", "boolean").contains(type);
  }

  /** The text of a parameter as the JSON value its schema's type means; text when it is not. */
  private static JsonNode typed(String value, @Nullable JsonNode schema) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    String type = schema == null ? "" : schema.path("type").asText("");
    try {
      return switch (type) {
        case "integer", "number" -> f.numberNode(new BigDecimal(value));
        case "boolean" ->
            "true".equals(value) || "false".equals(value)
                ? f.booleanNode(Boolean.parseBoolean(value))
                : f.textNode(value);
        default -> f.textNode(value);
      };
    } catch (NumberFormatException e) {
      return f.textNode(value); // the schema's type check then says what is wrong
    }
  }

  /** A validator message "/a/b: text" placed under a section of the request. */
  private static RequestProblem located(String section, String message) {
    int colon = message.indexOf(": ");
    if (!message.startsWith("/") || colon < 0) {
      return new RequestProblem(section, message);
    }
    String where = message.substring(0, colon);
    return new RequestProblem(
        "/".equals(where) ? section : section + where, message.substring(colon + 2));
  }

  /** "query:callbackUrl" → "/query/callbackUrl", "body:/a/b" → "/body/a/b". */
  private static String pointerOf(String targetId) {
    int colon = targetId.indexOf(':');
    String kind = targetId.substring(0, colon);
    String rest = targetId.substring(colon + 1);
    return switch (kind) {
      case "body" -> "/body" + rest;
      case "header" -> "/headers/" + escape(rest);
      default -> "/" + kind + "/" + escape(rest);
    };
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
