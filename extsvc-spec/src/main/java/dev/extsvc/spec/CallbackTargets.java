package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.spec.ExpressionTemplate.Expression;
import dev.extsvc.spec.ExpressionTemplate.Literal;
import dev.extsvc.spec.ExpressionTemplate.Part;
import dev.extsvc.spec.RuntimeExpression.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decides where the runtime writes its own callback URL for one callback expression, or why it
 * cannot: the runtime owns a URL only when the template starts with an expression naming a place in
 * the outgoing request.
 */
final class CallbackTargets {
  private CallbackTargets() {}

  /**
   * The decision for one expression.
   *
   * @param target null when not awaitable, with the reason
   * @param warnings findings about the expression, reported once at its place in the document
   * @param error whether the reason is an error in the document (it refuses registration), not only
   *     a limit
   */
  record Decision(
      @Nullable InjectionTarget target,
      @Nullable String reason,
      String literalSuffix,
      List<String> warnings,
      boolean error) {}

  /** "{webhookURL}": a name in braces where an expression (starting with '$') belongs. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^${}][^{}]*)}");

  /**
   * An absolute URL with nothing to fill in, such as
   * "https://search.example.org/api/v1/search/videos".
   */
  private static final Pattern ABSOLUTE_URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://\\S+");

  static Decision decide(String expression, Operation operation) {
    ExpressionTemplate template;
    try {
      template = ExpressionTemplate.parse(expression);
    } catch (ExpressionException e) {
      Matcher placeholder = PLACEHOLDER.matcher(expression);
      if (placeholder.find()) {
        // seen in real documents ("{webhookURL}"): it names the URL in prose, not a place in the
        // request
        return notAwaitable(
            "'{"
                + placeholder.group(1)
                + "}' is a placeholder, not a runtime expression, so nothing"
                + " says where the request carries the URL (write an expression such as {$request.body#/callbackUrl}"
                + " or {$request.query.callbackUrl})",
            "");
      }
      if (unclosed(expression, e)) {
        // an error, not a limit: the author meant an expression, and a key that silently can never
        // be awaited is found only when its callbacks never come
        return new Decision(
            null,
            "the URL template does not parse: "
                + e.getMessage()
                + "; close the expression with '}', e.g. {$request.body#/callbackUrl}",
            "",
            List.of(),
            true);
      }
      return notAwaitable("the URL template does not parse: " + e.getMessage(), "");
    }
    return decide(template, operation);
  }

  static Decision decide(ExpressionTemplate template, Operation operation) {
    List<Part> parts = template.parts();
    int first = firstExpression(parts);
    if (first < 0) {
      return notAwaitable(fixedText(template.text()), "");
    }
    String suffix =
        first + 1 < parts.size() && parts.get(first + 1) instanceof Literal l ? l.text() : "";
    if (first > 0) {
      String prefix = ((Literal) parts.get(0)).text();
      return notAwaitable(
          "the URL starts with fixed text '" + prefix + "', so the runtime cannot own it", suffix);
    }
    RuntimeExpression expression = ((Expression) parts.get(0)).expression();
    List<String> warnings = new ArrayList<>();
    InjectionTarget target;
    switch (expression) {
      case RuntimeExpression.Url u -> {
        return notAwaitable(
            "the URL comes from $url, the operation's own URL, which the runtime does not choose",
            suffix);
      }
      case RuntimeExpression.Method m -> {
        return notAwaitable("the URL comes from $method, which is not a URL", suffix);
      }
      case RuntimeExpression.StatusCode s -> {
        return notAwaitable("the URL comes from $statusCode, which is not a URL", suffix);
      }
      case RuntimeExpression.Header h when h.source() == Source.RESPONSE -> {
        return chosenByService(h, suffix);
      }
      case RuntimeExpression.Query q when q.source() == Source.RESPONSE -> {
        return chosenByService(q, suffix);
      }
      case RuntimeExpression.Path p when p.source() == Source.RESPONSE -> {
        return chosenByService(p, suffix);
      }
      case RuntimeExpression.Body b when b.source() == Source.RESPONSE -> {
        return chosenByService(b, suffix);
      }
      case RuntimeExpression.Query q -> {
        target = new InjectionTarget.Query(q.name());
        declared(operation, ParameterLocation.QUERY, q.name(), "query parameter", warnings);
      }
      case RuntimeExpression.Header h -> {
        target = new InjectionTarget.Header(h.name());
        declared(operation, ParameterLocation.HEADER, h.name(), "header", warnings);
      }
      case RuntimeExpression.Path p -> {
        if (!operation.path().contains("{" + p.name() + "}")) {
          return notAwaitable(
              "path parameter "
                  + p.name()
                  + " does not appear in the path "
                  + operation.path()
                  + ", so the URL has nowhere to go",
              suffix);
        }
        target = new InjectionTarget.Path(p.name());
        declared(operation, ParameterLocation.PATH, p.name(), "path parameter", warnings);
      }
      case RuntimeExpression.Body b -> {
        String problem = bodyProblem(b, operation);
        if (problem != null) {
          return notAwaitable(problem, suffix);
        }
        String dotted = dottedPointer(b.pointer(), operation.requestBody());
        if (dotted != null) {
          return new Decision(null, dotted, suffix, List.of(), true);
        }
        target = new InjectionTarget.Body(b.pointer());
        RequestBody body = operation.requestBody();
        if (body != null && body.schema() != null) {
          String undeclared = BodySchemas.undeclared(body.schema(), b.pointer());
          if (undeclared != null) {
            warnings.add(undeclared);
          }
        }
      }
    }
    String later = laterProblem(parts.subList(1, parts.size()));
    if (later != null) {
      return notAwaitable(later, suffix);
    }
    return new Decision(target, null, suffix, warnings, false);
  }

  /** Whether parsing failed at a '{' that no '}' follows. */
  private static boolean unclosed(String expression, ExpressionException e) {
    int at = e.index();
    return at >= 0
        && at < expression.length()
        && expression.charAt(at) == '{'
        && expression.indexOf('}', at) < 0;
  }

  /**
   * Why a template without any expression cannot be owned: a static address, or prose where a URL
   * belongs.
   */
  private static String fixedText(String text) {
    if (ABSOLUTE_URL.matcher(text).matches()) {
      return "the URL "
          + text
          + " is a fixed address without an expression: the service calls it without being"
          + " told, so the runtime cannot own it";
    }
    return "'"
        + text
        + "' is free text, not a URL template: nothing says where the request carries the URL"
        + " (write an expression such as {$request.body#/callbackUrl})";
  }

  /**
   * An error for a pointer such as "/webhooks.url", written as if JSON pointers were dotted paths:
   * it names one member called "webhooks.url", so the service would never find the URL where it
   * looks. Accepted only when the request body schema declares such a member.
   */
  private static @Nullable String dottedPointer(String pointer, @Nullable RequestBody body) {
    List<String> tokens = JsonPointers.tokens(pointer);
    if (tokens.stream().noneMatch(t -> t.indexOf('.') >= 0)) {
      return null;
    }
    JsonNode schema = body == null ? null : body.schema();
    if (schema != null && BodySchemas.declares(schema, pointer)) {
      return null;
    }
    StringBuilder slashed = new StringBuilder();
    for (String token : tokens) {
      for (String part : token.split("\\.", -1)) {
        slashed.append('/').append(JsonPointers.escape(part));
      }
    }
    boolean declared = schema != null && BodySchemas.declares(schema, slashed.toString());
    return "the pointer "
        + pointer
        + " names one member whose name contains '.', which the request body schema"
        + " does not declare; JSON pointers separate levels with '/': write {$request.body#"
        + slashed
        + "}"
        + (declared ? " (the schema declares " + slashed + ")" : "");
  }

  private static @Nullable String bodyProblem(RuntimeExpression.Body b, Operation operation) {
    if (b.pointer().isEmpty()) {
      return "$request.body without a JSON pointer names the whole body, not a place for a URL";
    }
    RequestBody body = operation.requestBody();
    if (body == null) {
      return "the URL is to be written at "
          + b.pointer()
          + " of the request body, but operation "
          + operation.id()
          + " has no request body";
    }
    if (!ModelParts.isJson(body.mediaType())) {
      return "the request body is "
          + body.mediaType()
          + ", not JSON, so the runtime cannot write the URL at "
          + b.pointer();
    }
    return null;
  }

  private static void declared(
      Operation operation, ParameterLocation in, String name, String what, List<String> warnings) {
    boolean found =
        operation.parameters().stream()
            .anyMatch(
                p ->
                    p.in() == in
                        && (in == ParameterLocation.HEADER
                            ? p.name().equalsIgnoreCase(name)
                            : p.name().equals(name)));
    if (!found) {
      warnings.add(
          what
              + " "
              + name
              + " is not declared by operation "
              + operation.id()
              + "; the runtime adds it");
    }
  }

  /**
   * Why later expressions keep the key from being awaited, or null when the runtime can evaluate
   * them: it evaluates the suffix from the request when it mints the token, before the callout, and
   * matches the callback's path against it; a value known only from the answer is not there yet.
   */
  private static @Nullable String laterProblem(List<Part> later) {
    for (Part part : later) {
      if (part instanceof Expression e && fromResponse(e.expression())) {
        return "the URL continues with {"
            + e.expression()
            + "}, a value of the service's answer; the runtime writes the URL and stores where the"
            + " callback will arrive before the answer exists, so it could not match the callback's"
            + " path (take the value from the request, e.g. {$request.body#/reference})";
      }
    }
    return null;
  }

  private static boolean fromResponse(RuntimeExpression expression) {
    return switch (expression) {
      case RuntimeExpression.StatusCode s -> true;
      case RuntimeExpression.Header h -> h.source() == Source.RESPONSE;
      case RuntimeExpression.Query q -> q.source() == Source.RESPONSE;
      case RuntimeExpression.Path p -> p.source() == Source.RESPONSE;
      case RuntimeExpression.Body b -> b.source() == Source.RESPONSE;
      case RuntimeExpression.Url u -> false;
      case RuntimeExpression.Method m -> false;
    };
  }

  private static int firstExpression(List<Part> parts) {
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i) instanceof Expression) {
        return i;
      }
    }
    return -1;
  }

  private static Decision chosenByService(RuntimeExpression e, String suffix) {
    return notAwaitable(
        "the URL is chosen by the service in its response ("
            + e
            + "), so the runtime cannot own it",
        suffix);
  }

  private static Decision notAwaitable(String reason, String suffix) {
    return new Decision(null, reason, suffix, List.of(), false);
  }
}
