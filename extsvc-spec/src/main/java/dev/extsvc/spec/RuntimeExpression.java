package dev.extsvc.spec;

import org.jspecify.annotations.Nullable;

/**
 * An OpenAPI runtime expression: {@code $url}, {@code $method}, {@code $statusCode}, or {@code
 * $request.}/{@code $response.} followed by {@code header.NAME}, {@code query.NAME}, {@code
 * path.NAME} or {@code body} with an optional {@code #/json/pointer}.
 */
public sealed interface RuntimeExpression {

  /** Parses one expression (without braces), e.g. "$request.body#/a/b". */
  static RuntimeExpression parse(String text) {
    return RuntimeExpressions.parse(text);
  }

  /**
   * The value in the context, or null when what it names is absent. Body values that are not
   * strings are rendered as JSON.
   */
  @Nullable String evaluate(ExpressionContext context);

  /** Whether the expression reads from the request or the response. */
  enum Source {
    REQUEST,
    RESPONSE
  }

  record Url() implements RuntimeExpression {
    @Override
    public @Nullable String evaluate(ExpressionContext context) {
      return context.url();
    }

    @Override
    public String toString() {
      return "$url";
    }
  }

  record Method() implements RuntimeExpression {
    @Override
    public @Nullable String evaluate(ExpressionContext context) {
      return context.method();
    }

    @Override
    public String toString() {
      return "$method";
    }
  }

  record StatusCode() implements RuntimeExpression {
    @Override
    public @Nullable String evaluate(ExpressionContext context) {
      return context.statusCode() == 0 ? null : Integer.toString(context.statusCode());
    }

    @Override
    public String toString() {
      return "$statusCode";
    }
  }

  record Header(Source source, String name) implements RuntimeExpression {
    @Override
    public @Nullable String evaluate(ExpressionContext context) {
      return RuntimeExpressions.header(this, context);
    }

    @Override
    public String toString() {
      return RuntimeExpressions.prefix(source) + "header." + name;
    }
  }

  record Query(Source source, String name) implements RuntimeExpression {
    @Override
    public @Nullable String evaluate(ExpressionContext context) {
      return source == Source.REQUEST ? context.request().firstQuery(name) : null;
    }

    @Override
    public String toString() {
      return RuntimeExpressions.prefix(source) + "query." + name;
    }
  }

  record Path(Source source, String name) implements RuntimeExpression {
    @Override
    public @Nullable String evaluate(ExpressionContext context) {
      return source == Source.REQUEST ? context.request().path().get(name) : null;
    }

    @Override
    public String toString() {
      return RuntimeExpressions.prefix(source) + "path." + name;
    }
  }

  /**
   * A body reference.
   *
   * @param pointer the JSON pointer, "" for the whole body
   */
  record Body(Source source, String pointer) implements RuntimeExpression {
    @Override
    public @Nullable String evaluate(ExpressionContext context) {
      return RuntimeExpressions.body(this, context);
    }

    @Override
    public String toString() {
      return RuntimeExpressions.prefix(source) + "body" + (pointer.isEmpty() ? "" : "#" + pointer);
    }
  }
}
