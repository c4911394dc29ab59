package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.spec.ExpressionTemplate.Expression;
import dev.extsvc.spec.ExpressionTemplate.Literal;
import dev.extsvc.spec.RuntimeExpression.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionTemplateTest {

  @Test
  void parsesAnExpressionFollowedByALiteralSuffix() {
    ExpressionTemplate t = ExpressionTemplate.parse("{$request.body#/callbackUrl}/events");
    assertThat(t.parts())
        .containsExactly(
            new Expression(new RuntimeExpression.Body(Source.REQUEST, "/callbackUrl")),
            new Literal("/events"));
    assertThat(t.text()).isEqualTo("{$request.body#/callbackUrl}/events");
  }

  @Test
  void parsesALiteralPrefixAndSeveralExpressions() {
    ExpressionTemplate t =
        ExpressionTemplate.parse("https://x.example/{$request.query.id}?a={$method}&b=c");
    assertThat(t.parts())
        .containsExactly(
            new Literal("https://x.example/"),
            new Expression(new RuntimeExpression.Query(Source.REQUEST, "id")),
            new Literal("?a="),
            new Expression(new RuntimeExpression.Method()),
            new Literal("&b=c"));
  }

  @Test
  void acceptsOneBareExpressionWithoutBraces() {
    assertThat(ExpressionTemplate.parse("$request.query.url").parts())
        .containsExactly(new Expression(new RuntimeExpression.Query(Source.REQUEST, "url")));
  }

  @Test
  void treatsTextWithoutBracesAsOneLiteral() {
    assertThat(ExpressionTemplate.parse("https://fixed.example/hook").parts())
        .containsExactly(new Literal("https://fixed.example/hook"));
  }

  @Test
  void expandsEveryExpression() {
    RequestParts request = new RequestParts().query("id", "7");
    ExpressionTemplate t =
        ExpressionTemplate.parse("https://x/{$request.query.id}/{$method}{$request.query.none}");
    assertThat(t.expand(ExpressionContext.ofRequest("u", "PUT", request)))
        .isEqualTo("https://x/7/PUT");
  }

  @ParameterizedTest(name = "{0} fails at {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{$request.query.a|0",
        "a}b|1",
        "{}|1",
        "{$request.{query}.a}|10",
        "x{$request.bogus.a}|11",
        "https://h/{$request.body#a}|25",
        "$request.header.a b|17",
        "{$request.query.a}}|18",
      })
  void reportsBadBracesAndBadExpressionsWithTheIndexInTheWholeTemplate(String text, int index) {
    assertThatThrownBy(() -> ExpressionTemplate.parse(text))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.index()).isEqualTo(index);
              assertThat(e.text()).isEqualTo(text);
            });
  }
}
