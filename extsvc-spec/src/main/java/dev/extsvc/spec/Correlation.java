package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A correlation rule: a callback belongs to the invocation whose value (taken from its request or
 * its synchronous answer) equals the callback's value (a header or a JSON pointer into its body).
 * What makes a callback awaitable when extsvc cannot write its URL (a static URL, a {@code
 * $response.body} expression, a provider's one webhook address).
 *
 * @param invocation where the invocation's value is: {@code $request.header.NAME}, {@code
 *     $request.query.NAME}, {@code $request.path.NAME}, {@code $request.body#/pointer}, {@code
 *     $response.header.NAME} or {@code $response.body#/pointer}
 * @param callback where the callback's value is, the callback being the request: {@code
 *     $request.header.NAME} or {@code $request.body#/pointer}
 */
public record Correlation(RuntimeExpression invocation, RuntimeExpression callback) {

  /** The extension on a Callback Object that declares a rule for its key. */
  public static final String EXTENSION = "x-extsvc-correlation";

  public Correlation {
    if (!(invocation instanceof RuntimeExpression.Header
        || invocation instanceof RuntimeExpression.Query
        || invocation instanceof RuntimeExpression.Path
        || invocation instanceof RuntimeExpression.Body)) {
      throw new IllegalArgumentException(
          "the invocation's value must be a header, query, path or body value of its request or"
              + " answer, not "
              + invocation);
    }
    if (!(callback instanceof RuntimeExpression.Header h
            && h.source() == RuntimeExpression.Source.REQUEST
        || callback instanceof RuntimeExpression.Body b
            && b.source() == RuntimeExpression.Source.REQUEST)) {
      throw new IllegalArgumentException(
          "the callback's value must be $request.header.NAME or $request.body#/pointer (the"
              + " callback is the request), not "
              + callback);
    }
  }

  /**
   * Parses a rule as written in a document or configuration.
   *
   * @throws IllegalArgumentException saying which side is wrong and why
   */
  public static Correlation parse(String invocation, String callback) {
    RuntimeExpression from;
    RuntimeExpression to;
    try {
      from = RuntimeExpression.parse(invocation.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invocation: " + e.getMessage(), e);
    }
    try {
      to = RuntimeExpression.parse(callback.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("callback: " + e.getMessage(), e);
    }
    return new Correlation(from, to);
  }

  /** Whether the invocation's value is known only once its synchronous answer is recorded. */
  public boolean fromAnswer() {
    return switch (invocation) {
      case RuntimeExpression.Header h -> h.source() == RuntimeExpression.Source.RESPONSE;
      case RuntimeExpression.Body b -> b.source() == RuntimeExpression.Source.RESPONSE;
      default -> false;
    };
  }

  /** The invocation's value, or null when its request or answer does not carry one. */
  public @Nullable String invocationValue(ExpressionContext context) {
    return nonEmpty(invocation.evaluate(context));
  }

  /**
   * The callback's value, or null when it carries none.
   *
   * @param header a header of the callback by name (any case), null when absent
   * @param body the callback's body, null when it has none
   */
  public @Nullable String callbackValue(
      Function<String, @Nullable String> header, @Nullable JsonNode body) {
    return switch (callback) {
      case RuntimeExpression.Header h -> nonEmpty(header.apply(h.name()));
      case RuntimeExpression.Body b -> nonEmpty(JsonPointers.text(body, b.pointer()));
      default -> null;
    };
  }

  private static @Nullable String nonEmpty(@Nullable String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  /** As written: "$response.body#/id = $request.body#/data/id". */
  @Override
  public String toString() {
    return invocation + " = " + callback;
  }
}
