package dev.extsvc.spec;

import org.jspecify.annotations.Nullable;

/** The runtime expression grammar. TODO(spec helper): implement. */
final class RuntimeExpressions {
  private RuntimeExpressions() {}

  static RuntimeExpression parse(String text) {
    throw new UnsupportedOperationException("not yet");
  }

  static ExpressionTemplate parseTemplate(String text) {
    throw new UnsupportedOperationException("not yet");
  }

  static String prefix(RuntimeExpression.Source source) {
    return source == RuntimeExpression.Source.REQUEST ? "$request." : "$response.";
  }

  static @Nullable String header(RuntimeExpression.Header h, ExpressionContext context) {
    throw new UnsupportedOperationException("not yet");
  }

  static @Nullable String body(RuntimeExpression.Body b, ExpressionContext context) {
    throw new UnsupportedOperationException("not yet");
  }
}
