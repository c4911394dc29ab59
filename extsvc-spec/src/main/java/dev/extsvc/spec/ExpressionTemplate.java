package dev.extsvc.spec;

import java.util.List;

/**
 * A callback key's URL template: literal text around one or more {@code {expression}}s, e.g.
 * "{$request.body#/callbackUrl}/events" or "https://example.com?token={$request.query.t}". A
 * template that is one bare expression without braces is accepted too (as some documents write it).
 */
public record ExpressionTemplate(String text, List<Part> parts) {
  public ExpressionTemplate {
    parts = List.copyOf(parts);
  }

  /** Parses a template; throws {@link ExpressionException} with the index of the problem. */
  public static ExpressionTemplate parse(String text) {
    return RuntimeExpressions.parseTemplate(text);
  }

  /** Substitutes every expression (absent values become ""). */
  public String expand(ExpressionContext context) {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      switch (part) {
        case Literal l -> out.append(l.text());
        case Expression e -> {
          String v = e.expression().evaluate(context);
          out.append(v == null ? "" : v);
        }
      }
    }
    return out.toString();
  }

  /** A piece of a template. */
  public sealed interface Part {}

  public record Literal(String text) implements Part {}

  public record Expression(RuntimeExpression expression) implements Part {}
}
