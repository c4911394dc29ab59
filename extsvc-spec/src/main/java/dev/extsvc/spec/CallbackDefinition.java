package dev.extsvc.spec;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One callback operation: a key of an operation's {@code callbacks}, one of its expressions, one
 * method.
 *
 * <p>A key with several expressions or methods yields several definitions sharing the key.
 *
 * @param expression the template as written in the document, e.g. "{$request.query.callbackUrl}"
 * @param template the parsed template, or null when it does not parse (then {@code target} is null
 *     too)
 * @param method upper case; only POST and PUT can be received
 * @param pointer JSON pointer of the callback operation in the document
 * @param target where the runtime writes its own callback URL in the outgoing request; null when
 *     the runtime cannot own the URL, with the reason in {@code notAwaitableReason}
 * @param literalSuffix literal text right after the first expression in the template (e.g.
 *     "/events"), "" if none; the whole suffix, later expressions included, is {@link #suffix}
 * @param parameters the parameters the callback declares (headers such as applicationNumber)
 * @param correlation the rule that ties such a callback to its invocation by a business value, when
 *     one is declared ({@code x-extsvc-correlation}, or configuration): the callback is then
 *     awaitable at the service's shared address whether or not the runtime owns its URL
 * @param role whether the key's callbacks complete the invocation or report progress (and move its
 *     deadline); {@link CallbackRole#FINAL} unless declared
 */
public record CallbackDefinition(
    String key,
    String expression,
    @Nullable ExpressionTemplate template,
    String method,
    String pointer,
    @Nullable InjectionTarget target,
    String literalSuffix,
    @Nullable String notAwaitableReason,
    List<Parameter> parameters,
    @Nullable RequestBody requestBody,
    Map<String, ResponseDefinition> responses,
    @Nullable String description,
    @Nullable Correlation correlation,
    CallbackRole role) {

  public CallbackDefinition {
    parameters = List.copyOf(parameters);
    responses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(responses));
    if ((target == null) == (notAwaitableReason == null)) {
      throw new IllegalArgumentException(
          "exactly one of target and notAwaitableReason must be given");
    }
  }

  /** A definition of a final key without a correlation rule. */
  public CallbackDefinition(
      String key,
      String expression,
      @Nullable ExpressionTemplate template,
      String method,
      String pointer,
      @Nullable InjectionTarget target,
      String literalSuffix,
      @Nullable String notAwaitableReason,
      List<Parameter> parameters,
      @Nullable RequestBody requestBody,
      Map<String, ResponseDefinition> responses,
      @Nullable String description) {
    this(
        key,
        expression,
        template,
        method,
        pointer,
        target,
        literalSuffix,
        notAwaitableReason,
        parameters,
        requestBody,
        responses,
        description,
        null,
        CallbackRole.FINAL);
  }

  /** The same definition with this correlation rule (null: none). */
  public CallbackDefinition withCorrelation(@Nullable Correlation rule) {
    return with(rule, role);
  }

  /** The same definition with another role (a configured one overriding the document's). */
  public CallbackDefinition withRole(CallbackRole newRole) {
    return with(correlation, newRole);
  }

  private CallbackDefinition with(@Nullable Correlation newCorrelation, CallbackRole newRole) {
    return new CallbackDefinition(
        key,
        expression,
        template,
        method,
        pointer,
        target,
        literalSuffix,
        notAwaitableReason,
        parameters,
        requestBody,
        responses,
        description,
        newCorrelation,
        newRole);
  }

  /**
   * Whether a callback of this definition can be tied to its invocation by its correlation rule at
   * the service's shared address (only PUT and POST callbacks are received).
   */
  public boolean awaitableByCorrelation() {
    return correlation != null && (method.equals("POST") || method.equals("PUT"));
  }

  /** Whether the runtime owns this callback's URL and so can await it. */
  public boolean awaitable() {
    return target != null;
  }

  /**
   * What follows the runtime's URL in the template: literal text and any later expressions, e.g.
   * "/shipments/{$request.body#/reference}"; empty when the template does not start with an
   * expression.
   */
  public List<ExpressionTemplate.Part> suffixParts() {
    if (template == null
        || template.parts().isEmpty()
        || !(template.parts().get(0) instanceof ExpressionTemplate.Expression)) {
      return List.of();
    }
    return template.parts().subList(1, template.parts().size());
  }

  /** The suffix as written, expressions in braces: "/shipments/{$request.body#/reference}". */
  public String suffix() {
    StringBuilder out = new StringBuilder();
    for (ExpressionTemplate.Part part : suffixParts()) {
      switch (part) {
        case ExpressionTemplate.Literal l -> out.append(l.text());
        case ExpressionTemplate.Expression e -> out.append('{').append(e.expression()).append('}');
      }
    }
    return out.toString();
  }

  /**
   * Whether the suffix has expressions, so that where the callback arrives depends on the
   * invocation's request and must be evaluated and stored with its token.
   */
  public boolean suffixVaries() {
    return suffixParts().stream().anyMatch(p -> p instanceof ExpressionTemplate.Expression);
  }

  /**
   * The suffix evaluated against the request as sent (absent values become "", as the service would
   * write them); the literal suffix when it has no expressions.
   */
  public String suffix(ExpressionContext request) {
    return new ExpressionTemplate(suffix(), suffixParts()).expand(request);
  }
}
