package dev.extsvc.spec;

import dev.extsvc.spec.RuntimeExpression.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The runtime expression grammar of OpenAPI 3.0.3/3.1 ("Runtime Expressions"), templates made of
 * them, and their evaluation. Errors carry the index of the first character that breaks the
 * grammar.
 */
final class RuntimeExpressions {
  private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

  private RuntimeExpressions() {}

  static RuntimeExpression parse(String text) {
    return parse(text, text, 0);
  }

  /**
   * Parses {@code text}, reporting errors against {@code whole} shifted by {@code offset}, so that
   * an expression inside a template names the index in the template.
   */
  private static RuntimeExpression parse(String text, String whole, int offset) {
    Cursor c = new Cursor(text, whole, offset);
    if (!c.take("$")) {
      throw c.error(0, "an expression starts with '$'");
    }
    if (c.take("url")) {
      return c.end(new RuntimeExpression.Url());
    }
    if (c.take("method")) {
      return c.end(new RuntimeExpression.Method());
    }
    if (c.take("statusCode")) {
      return c.end(new RuntimeExpression.StatusCode());
    }
    Source source;
    if (c.take("request.")) {
      source = Source.REQUEST;
    } else if (c.take("response.")) {
      source = Source.RESPONSE;
    } else {
      throw c.error(1, "expected url, method, statusCode, request. or response.");
    }
    int at = c.pos;
    if (c.take("header.")) {
      return new RuntimeExpression.Header(
          source, c.rest(RuntimeExpressions::isTchar, "a header name (token)"));
    }
    if (c.take("query.")) {
      return new RuntimeExpression.Query(
          source, c.rest(RuntimeExpressions::isChar, "a query parameter name"));
    }
    if (c.take("path.")) {
      return new RuntimeExpression.Path(
          source, c.rest(RuntimeExpressions::isChar, "a path parameter name"));
    }
    if (c.take("body")) {
      if (c.atEnd()) {
        return new RuntimeExpression.Body(source, "");
      }
      if (!c.take("#")) {
        throw c.error(c.pos, "expected '#' and a JSON pointer after body");
      }
      String pointer = text.substring(c.pos);
      int bad = JsonPointers.firstError(pointer);
      if (bad >= 0) {
        throw c.error(
            c.pos + bad,
            bad == 0 ? "a JSON pointer starts with '/'" : "'~' must be followed by 0 or 1");
      }
      return new RuntimeExpression.Body(source, pointer);
    }
    throw c.error(at, "expected header., query., path. or body");
  }

  static ExpressionTemplate parseTemplate(String text) {
    if (text.startsWith("$") && text.indexOf('{') < 0 && text.indexOf('}') < 0) {
      // some documents write a key as one bare expression, without braces
      return new ExpressionTemplate(text, List.of(new ExpressionTemplate.Expression(parse(text))));
    }
    List<ExpressionTemplate.Part> parts = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf('{', i);
      int stray = text.indexOf('}', i);
      if (stray >= 0 && (open < 0 || stray < open)) {
        throw new ExpressionException(text, stray, "'}' without a matching '{'");
      }
      if (open < 0) {
        parts.add(new ExpressionTemplate.Literal(text.substring(i)));
        break;
      }
      if (open > i) {
        parts.add(new ExpressionTemplate.Literal(text.substring(i, open)));
      }
      int close = text.indexOf('}', open + 1);
      int nested = text.indexOf('{', open + 1);
      if (close < 0) {
        throw new ExpressionException(text, open, "'{' is not closed");
      }
      if (nested >= 0 && nested < close) {
        throw new ExpressionException(text, nested, "'{' inside an expression");
      }
      if (close == open + 1) {
        throw new ExpressionException(text, close, "empty expression");
      }
      String inner = text.substring(open + 1, close);
      parts.add(new ExpressionTemplate.Expression(parse(inner, text, open + 1)));
      i = close + 1;
    }
    return new ExpressionTemplate(text, parts);
  }

  static String prefix(Source source) {
    return source == Source.REQUEST ? "$request." : "$response.";
  }

  static @Nullable String header(RuntimeExpression.Header h, ExpressionContext context) {
    if (h.source() == Source.REQUEST) {
      return context.request().headers().get(h.name());
    }
    for (Map.Entry<String, String> e : context.responseHeaders().entrySet()) {
      if (e.getKey().equalsIgnoreCase(h.name())) {
        return e.getValue();
      }
    }
    return null;
  }

  static @Nullable String body(RuntimeExpression.Body b, ExpressionContext context) {
    return b.source() == Source.REQUEST
        ? JsonPointers.text(context.request().body(), b.pointer())
        : JsonPointers.text(context.responseBody(), b.pointer());
  }

  /** tchar of RFC 7230: what a header name may contain. */
  static boolean isTchar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || TCHAR_SYMBOLS.indexOf(c) >= 0;
  }

  /** CHAR of RFC 5234 (US-ASCII without NUL), what the grammar allows in a query or path name. */
  private static boolean isChar(char c) {
    return c >= 0x01 && c <= 0x7F;
  }

  private interface CharTest {
    boolean test(char c);
  }

  /** A position in the expression being parsed. */
  private static final class Cursor {
    final String text;
    final String whole;
    final int offset;
    int pos;

    Cursor(String text, String whole, int offset) {
      this.text = text;
      this.whole = whole;
      this.offset = offset;
    }

    boolean take(String s) {
      if (text.startsWith(s, pos)) {
        pos += s.length();
        return true;
      }
      return false;
    }

    boolean atEnd() {
      return pos == text.length();
    }

    RuntimeExpression end(RuntimeExpression e) {
      if (!atEnd()) {
        throw error(pos, "unexpected text after " + e);
      }
      return e;
    }

    /** The rest of the expression as a name of at least one allowed character. */
    String rest(CharTest allowed, String what) {
      if (atEnd()) {
        throw error(pos, "expected " + what);
      }
      for (int i = pos; i < text.length(); i++) {
        if (!allowed.test(text.charAt(i))) {
          throw error(i, "'" + text.charAt(i) + "' is not allowed in " + what);
        }
      }
      String name = text.substring(pos);
      pos = text.length();
      return name;
    }

    ExpressionException error(int index, String reason) {
      return new ExpressionException(whole, offset + index, reason);
    }
  }
}
