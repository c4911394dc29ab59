package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.spec.RuntimeExpression.Source;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeExpressionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void parsesTheThreeSimpleExpressions() {
    assertThat(RuntimeExpression.parse("$url")).isEqualTo(new RuntimeExpression.Url());
    assertThat(RuntimeExpression.parse("$method")).isEqualTo(new RuntimeExpression.Method());
    assertThat(RuntimeExpression.parse("$statusCode"))
        .isEqualTo(new RuntimeExpression.StatusCode());
  }

  @Test
  void parsesEachKindOfRequestAndResponseReference() {
    assertThat(RuntimeExpression.parse("$request.header.X-Callback"))
        .isEqualTo(new RuntimeExpression.Header(Source.REQUEST, "X-Callback"));
    assertThat(RuntimeExpression.parse("$response.header.Location"))
        .isEqualTo(new RuntimeExpression.Header(Source.RESPONSE, "Location"));
    assertThat(RuntimeExpression.parse("$request.query.callbackUrl"))
        .isEqualTo(new RuntimeExpression.Query(Source.REQUEST, "callbackUrl"));
    assertThat(RuntimeExpression.parse("$request.path.id"))
        .isEqualTo(new RuntimeExpression.Path(Source.REQUEST, "id"));
    assertThat(RuntimeExpression.parse("$request.body"))
        .isEqualTo(new RuntimeExpression.Body(Source.REQUEST, ""));
    assertThat(RuntimeExpression.parse("$response.body#/a/0/b"))
        .isEqualTo(new RuntimeExpression.Body(Source.RESPONSE, "/a/0/b"));
  }

  @Test
  void acceptsEveryTcharInAHeaderName() {
    String name = "!#$%&'*+-.^_`|~09azAZ";
    assertThat(RuntimeExpression.parse("$request.header." + name))
        .isEqualTo(new RuntimeExpression.Header(Source.REQUEST, name));
  }

  @Test
  void keepsPointerEscapesAsWritten() {
    RuntimeExpression e = RuntimeExpression.parse("$request.body#/a~1b/c~0d/");
    assertThat(e).isEqualTo(new RuntimeExpression.Body(Source.REQUEST, "/a~1b/c~0d/"));
    assertThat(e.toString()).isEqualTo("$request.body#/a~1b/c~0d/");
  }

  @Test
  void acceptsAnEmptyPointerAfterTheHash() {
    assertThat(RuntimeExpression.parse("$request.body#"))
        .isEqualTo(new RuntimeExpression.Body(Source.REQUEST, ""));
  }

  @ParameterizedTest(name = "{0} fails at {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "url|0",
        "$|1",
        "$req.query.a|1",
        "$request|1",
        "$request.|9",
        "$request.foo.x|9",
        "$request.header.|16",
        "$request.header.a b|17",
        "$request.header.a:b|17",
        "$request.body#a|14",
        "$request.body#/a~2|16",
        "$request.body#/a~|16",
        "$request.bodyx|13",
        "$response.query.|16",
        "$response.path.|15",
        "$urlx|4",
        "$statusCode1|11",
      })
  void rejectsInvalidFormsWithTheIndexOfTheProblem(String text, int index) {
    assertThatThrownBy(() -> RuntimeExpression.parse(text))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.index()).isEqualTo(index);
              assertThat(e.text()).isEqualTo(text);
              assertThat(e.getMessage()).contains("at index " + index);
            });
  }

  @Test
  void rejectsNonAsciiQueryNames() {
    assertThatThrownBy(() -> RuntimeExpression.parse("$request.query.caf\u00e9"))
        .isInstanceOfSatisfying(
            ExpressionException.class, e -> assertThat(e.index()).isEqualTo(18));
  }

  @Test
  void evaluatesAgainstTheRequest() throws Exception {
    RequestParts request =
        new RequestParts()
            .query("cb", "https://q")
            .header("X-Hook", "https://h")
            .pathParam("id", "42")
            .body(
                JSON.readTree(
                    "{\"a\":{\"b\":\"https://b\",\"n\":3,\"o\":{\"x\":1}},\"nil\":null}"));
    ExpressionContext context = ExpressionContext.ofRequest("https://svc/x", "POST", request);

    assertThat(RuntimeExpression.parse("$url").evaluate(context)).isEqualTo("https://svc/x");
    assertThat(RuntimeExpression.parse("$method").evaluate(context)).isEqualTo("POST");
    assertThat(RuntimeExpression.parse("$statusCode").evaluate(context)).isNull();
    assertThat(RuntimeExpression.parse("$request.query.cb").evaluate(context))
        .isEqualTo("https://q");
    assertThat(RuntimeExpression.parse("$request.header.x-hook").evaluate(context))
        .isEqualTo("https://h");
    assertThat(RuntimeExpression.parse("$request.path.id").evaluate(context)).isEqualTo("42");
    assertThat(RuntimeExpression.parse("$request.body#/a/b").evaluate(context))
        .isEqualTo("https://b");
    assertThat(RuntimeExpression.parse("$request.body#/a/n").evaluate(context)).isEqualTo("3");
    assertThat(RuntimeExpression.parse("$request.body#/a/o").evaluate(context))
        .isEqualTo("{\"x\":1}");
    assertThat(RuntimeExpression.parse("$request.body#/missing").evaluate(context)).isNull();
    assertThat(RuntimeExpression.parse("$request.body#/nil").evaluate(context)).isNull();
    assertThat(RuntimeExpression.parse("$request.query.none").evaluate(context)).isNull();
  }

  @Test
  void evaluatesAgainstTheResponse() throws Exception {
    JsonNode body = JSON.readTree("{\"links\":[{\"href\":\"https://r/1\"}]}");
    ExpressionContext context =
        new ExpressionContext(
            "https://svc/x",
            "POST",
            new RequestParts(),
            201,
            Map.of("Location", "https://loc"),
            body);

    assertThat(RuntimeExpression.parse("$statusCode").evaluate(context)).isEqualTo("201");
    assertThat(RuntimeExpression.parse("$response.header.location").evaluate(context))
        .isEqualTo("https://loc");
    assertThat(RuntimeExpression.parse("$response.header.Other").evaluate(context)).isNull();
    assertThat(RuntimeExpression.parse("$response.body#/links/0/href").evaluate(context))
        .isEqualTo("https://r/1");
    assertThat(RuntimeExpression.parse("$response.body").evaluate(context))
        .isEqualTo(body.toString());
    assertThat(RuntimeExpression.parse("$response.query.a").evaluate(context)).isNull();
  }
}
