package dev.extsvc.spec;

import static dev.extsvc.spec.Documents.finding;
import static dev.extsvc.spec.Documents.lineOf;
import static dev.extsvc.spec.Documents.orders;
import static dev.extsvc.spec.Documents.register;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistrarCallbackTest {
  private static final String PLAIN_POST =
      """
      post:
        responses:
          '200':
            description: ok
      """;

  private static String key(String name, String expression) {
    return name + ":\n  '" + expression + "':\n" + PLAIN_POST.indent(4);
  }

  private static CallbackDefinition only(Registration r) {
    return r.service().operations().get(0).callbacks().get(0);
  }

  @Test
  void findsTargetsInQueryHeaderPathAndBody() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /jobs/{hook}:
            post:
              parameters:
                - {name: hook, in: path, required: true, schema: {type: string}}
                - {name: cb, in: query, schema: {type: string}}
                - {name: X-Callback, in: header, schema: {type: string}}
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        hooks: {type: array, items: {type: string}}
              responses: {'202': {description: accepted}}
              callbacks:
        """
            + (key("q", "{$request.query.cb}")
                    + key("h", "{$request.header.x-callback}")
                    + key("p", "{$request.path.hook}")
                    + key("b", "{$request.body#/hooks/0}"))
                .indent(8);
    Registration r = register(doc);
    assertThat(NoDataWarnings.besides(r.report())).isEmpty();
    assertThat(r.service().operations().get(0).callbacks())
        .extracting(CallbackDefinition::target)
        .containsExactly(
            new InjectionTarget.Query("cb"),
            new InjectionTarget.Header("x-callback"),
            new InjectionTarget.Path("hook"),
            new InjectionTarget.Body("/hooks/0"));
  }

  @Test
  void keepsTheLiteralSuffixAfterTheExpression() {
    Registration r = register(orders(key("done", "{$request.body#/hooks/done}/events?v=1")));
    assertThat(NoDataWarnings.besides(r.report())).isEmpty();
    assertThat(only(r).literalSuffix()).isEqualTo("/events?v=1");
    assertThat(only(r).target()).isEqualTo(new InjectionTarget.Body("/hooks/done"));
  }

  @Test
  void awaitsAKeyWhoseUrlContinuesWithExpressionsOfTheRequest() {
    Registration r =
        register(orders(key("done", "{$request.body#/hooks/done}/orders/{$request.query.notify}")));
    CallbackDefinition done = only(r);
    assertThat(done.awaitable()).isTrue();
    assertThat(done.literalSuffix()).isEqualTo("/orders/");
    assertThat(done.suffix()).isEqualTo("/orders/{$request.query.notify}");
    assertThat(done.suffixVaries()).isTrue();
    assertThat(r.report().diagnostics()).noneMatch(d -> d.message().contains("expression"));
    RequestParts request = new RequestParts().query("notify", "A-17");
    assertThat(done.suffix(ExpressionContext.ofRequest("http://svc/orders", "POST", request)))
        .isEqualTo("/orders/A-17");
  }

  @Test
  void cannotAwaitAKeyWhoseUrlContinuesWithAValueOfTheAnswer() {
    String doc = orders(key("done", "{$request.body#/hooks/done}/orders/{$response.body#/id}"));
    Registration r = register(doc);
    CallbackDefinition done = only(r);
    assertThat(done.awaitable()).isFalse();
    assertThat(done.notAwaitableReason())
        .contains("continues with {$response.body#/id}, a value of the service's answer");
    Diagnostic d = finding(r, "callback done cannot be awaited: the URL continues with");
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.pointer())
        .isEqualTo(
            "/paths/~1orders/post/callbacks/done/{$request.body#~1hooks~1done}~1orders~1{$response.body#~1id}");
  }

  @Test
  void cannotAwaitAUrlChosenByTheServiceInItsResponse() {
    String doc = orders(key("moved", "{$response.header.Location}"));
    Registration r = register(doc);
    assertThat(r.ok()).isTrue();
    CallbackDefinition moved = only(r);
    assertThat(moved.awaitable()).isFalse();
    assertThat(moved.notAwaitableReason())
        .contains("the URL is chosen by the service in its response");
    Diagnostic d = finding(r, "cannot be awaited: the URL is chosen by the service");
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.pointer())
        .isEqualTo("/paths/~1orders/post/callbacks/moved/{$response.header.Location}");
    assertThat(d.line()).isEqualTo(lineOf(doc, "'{$response.header.Location}':"));
    Diagnostic never = finding(r, "callback moved can never be awaited");
    assertThat(never.pointer()).isEqualTo("/paths/~1orders/post/callbacks/moved");
    assertThat(never.line()).isEqualTo(lineOf(doc, "moved:"));
  }

  @Test
  void cannotAwaitAUrlWithAFixedHost() {
    Registration r =
        register(orders(key("fixed", "https://hooks.example/{$request.query.notify}")));
    assertThat(only(r).notAwaitableReason())
        .isEqualTo(
            "the URL starts with fixed text 'https://hooks.example/', so the runtime cannot own it");
    Diagnostic d = finding(r, "starts with fixed text");
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.message()).startsWith("callback fixed cannot be awaited: ");
    assertThat(finding(r, "can never be awaited").message())
        .isEqualTo("callback fixed can never be awaited: the runtime cannot own its URL");
  }

  @Test
  void cannotAwaitAStaticUrl() {
    Registration r = register(orders(key("static", "https://hooks.example/done")));
    assertThat(only(r).template()).isNotNull();
    assertThat(only(r).notAwaitableReason()).contains("is a fixed address without an expression");
  }

  @Test
  void cannotAwaitUrlMethodOrStatusCode() {
    Registration r =
        register(
            orders(key("u", "{$url}/done") + key("m", "{$method}") + key("s", "{$statusCode}")));
    assertThat(r.service().operations().get(0).callbacks())
        .extracting(CallbackDefinition::notAwaitableReason)
        .satisfiesExactly(
            reason -> assertThat(reason).contains("$url"),
            reason -> assertThat(reason).contains("$method"),
            reason -> assertThat(reason).contains("$statusCode"));
  }

  @Test
  void cannotAwaitTheWholeBody() {
    Registration r = register(orders(key("all", "{$request.body}")));
    assertThat(only(r).notAwaitableReason()).contains("names the whole body");
  }

  @Test
  void reportsAnUnparsableTemplateWithTheIndex() {
    String doc = orders(key("broken", "{$request.body#hooks}"));
    Registration r = register(doc);
    assertThat(only(r).template()).isNull();
    assertThat(only(r).notAwaitableReason())
        .startsWith("the URL template does not parse: ")
        .contains("at index 15");
    assertThat(finding(r, "does not parse").line())
        .isEqualTo(lineOf(doc, "'{$request.body#hooks}':"));
  }

  @Test
  void refusesAnUnclosedBraceAsAnErrorAtTheExpressionsPointerAndLine() {
    String doc = orders(key("done", "{$request.body#/hooks/done"));
    Registration r = register(doc);

    assertThat(r.ok()).isFalse();
    Diagnostic d = finding(r, "is not closed");
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.message())
        .startsWith("callback done cannot be awaited: the URL template does not parse: ")
        .contains("at index 0")
        .contains("close the expression with '}'");
    assertThat(d.pointer())
        .isEqualTo("/paths/~1orders/post/callbacks/done/{$request.body#~1hooks~1done");
    assertThat(d.line()).isEqualTo(lineOf(doc, "'{$request.body#/hooks/done':"));
  }

  @Test
  void anUnclosedBraceAfterAClosedExpressionIsAnErrorToo() {
    Registration r = register(orders(key("done", "{$request.query.notify}/{status")));

    assertThat(r.ok()).isFalse();
    assertThat(finding(r, "is not closed").severity()).isEqualTo(Severity.ERROR);
  }

  @Test
  void cannotWriteIntoAMissingRequestBody() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /pings:
            post:
              operationId: ping
              responses: {'202': {description: accepted}}
              callbacks:
        """
            + key("pong", "{$request.body#/url}").indent(8);
    Registration r = register(doc);
    assertThat(only(r).notAwaitableReason()).contains("operation ping has no request body");
    assertThat(r.ok()).isTrue();
  }

  @Test
  void cannotWriteIntoAFormEncodedBody() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /pings:
            post:
              requestBody:
                content:
                  application/x-www-form-urlencoded:
                    schema: {type: object, properties: {url: {type: string}}}
              responses: {'202': {description: accepted}}
              callbacks:
        """
            + key("pong", "{$request.body#/url}").indent(8);
    Registration r = register(doc);
    assertThat(only(r).notAwaitableReason())
        .contains("application/x-www-form-urlencoded, not JSON");
  }

  @Test
  void awaitsAnUndeclaredQueryParameterButWarns() {
    String doc = orders(key("late", "{$request.query.callback}"));
    Registration r = register(doc);
    assertThat(only(r).target()).isEqualTo(new InjectionTarget.Query("callback"));
    Diagnostic d = finding(r, "is not declared");
    assertThat(d.message())
        .isEqualTo(
            "callback late: query parameter callback is not declared by operation placeOrder; the runtime adds it");
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.line()).isEqualTo(lineOf(doc, "'{$request.query.callback}':"));
  }

  @Test
  void awaitsAnUndeclaredHeaderButWarns() {
    Registration r = register(orders(key("late", "{$request.header.X-Hook}")));
    assertThat(only(r).target()).isEqualTo(new InjectionTarget.Header("X-Hook"));
    assertThat(finding(r, "header X-Hook is not declared").severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  void cannotAwaitAPathParameterMissingFromThePath() {
    Registration r = register(orders(key("p", "{$request.path.hook}")));
    assertThat(only(r).notAwaitableReason()).contains("does not appear in the path /orders");
  }

  @Test
  void awaitsAnUndeclaredBodyPropertyButWarns() {
    String doc = orders(key("other", "{$request.body#/hooks/failed}"));
    Registration r = register(doc);
    assertThat(only(r).target()).isEqualTo(new InjectionTarget.Body("/hooks/failed"));
    Diagnostic d = finding(r, "does not declare");
    assertThat(d.message()).contains("the request body schema does not declare /hooks/failed");
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  void warnsWhenTheBodyDeclaresAnotherTypeWhereTheUrlGoes() {
    Registration r = register(orders(key("n", "{$request.body#/hooks/count}")));
    assertThat(only(r).awaitable()).isTrue();
    assertThat(finding(r, "as integer").severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  void cannotReceiveGetCallbacks() {
    String callbacks =
        """
        poll:
          '{$request.query.notify}':
            get:
              responses: {'200': {description: ok}}
        """;
    String doc = orders(callbacks);
    Registration r = register(doc);
    assertThat(only(r).method()).isEqualTo("GET");
    assertThat(only(r).notAwaitableReason())
        .contains("only PUT and POST callbacks can be received");
    Diagnostic d = finding(r, "is a GET request");
    assertThat(d.pointer()).endsWith("/get");
    assertThat(d.line()).isEqualTo(lineOf(doc, "get:"));
    assertThat(finding(r, "callback poll can never be awaited").severity())
        .isEqualTo(Severity.WARNING);
  }

  @Test
  void readsReferencedCallbacksWhereTheyAreDefined() {
    String doc =
        orders("done: {$ref: '#/components/callbacks/Done'}")
            + """
        components:
          callbacks:
            Done:
              '{$request.body#/hooks/done}':
                put:
                  summary: the order is done
                  responses: {'200': {description: ok}}
        """;
    Registration r = register(doc);
    assertThat(NoDataWarnings.besides(r.report())).isEmpty();
    CallbackDefinition done = only(r);
    assertThat(done.method()).isEqualTo("PUT");
    assertThat(done.description()).isEqualTo("the order is done");
    assertThat(done.pointer())
        .isEqualTo("/components/callbacks/Done/{$request.body#~1hooks~1done}/put");
  }

  @Test
  void reportsABrokenCallbackRef() {
    String doc = orders("done: {$ref: '#/components/callbacks/Gone'}");
    Registration r = register(doc);
    Diagnostic d = finding(r, "Gone");
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.pointer()).isEqualTo("/paths/~1orders/post/callbacks/done/$ref");
    assertThat(d.line()).isEqualTo(lineOf(doc, "done: {$ref"));
  }

  @Test
  void warnsWhenKeysSharingATargetCannotBeToldApart() {
    String doc =
        orders(
            key("shipped", "{$request.query.notify}")
                + key("cancelled", "{$request.query.notify}"));
    Registration r = register(doc);
    Diagnostic d = finding(r, "cannot be told apart");
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.message())
        .contains(
            "callbacks shipped and cancelled both arrive as POST at the URL written to the"
                + " query parameter notify")
        .contains("neither declares a request body schema");
    assertThat(d.pointer())
        .isEqualTo("/paths/~1orders/post/callbacks/cancelled/{$request.query.notify}/post");
  }

  private static String withBody(String name, String expression, String schema) {
    return name
        + ":\n  '"
        + expression
        + "':\n    post:\n      requestBody:\n        content:\n"
        + "          application/json:\n            schema: "
        + schema
        + "\n"
        + "      responses: {'200': {description: ok}}\n";
  }

  @Test
  void warnsWhenKeysSharingATargetHaveTheSameSchema() {
    Registration r =
        register(
            orders(
                withBody(
                        "shipped",
                        "{$request.query.notify}",
                        "{type: object, description: a, properties: {id: {type: string}}}")
                    + withBody(
                        "cancelled",
                        "{$request.query.notify}",
                        "{type: object, description: b, properties: {id: {type: string}}}")));
    assertThat(finding(r, "cannot be told apart").message())
        .contains("their request body schemas are the same");
  }

  @Test
  void acceptsKeysSharingATargetThatADiscriminatingConstantTellsApart() {
    Registration r =
        register(
            orders(
                withBody(
                        "shipped",
                        "{$request.query.notify}",
                        "{properties: {event: {enum: [shipped]}}}")
                    + withBody(
                        "cancelled",
                        "{$request.query.notify}",
                        "{properties: {event: {enum: [cancelled]}}}")));
    assertThat(NoDataWarnings.besides(r.report())).isEmpty();
  }

  @Test
  void acceptsKeysSharingATargetWithDifferentSuffixesOrSchemas() {
    Registration r =
        register(
            orders(
                key("shipped", "{$request.query.notify}/shipped")
                    + key("cancelled", "{$request.query.notify}/cancelled")
                    + withBody(
                        "paid",
                        "{$request.query.notify}",
                        "{properties: {amount: {type: number}}}")));
    assertThat(NoDataWarnings.besides(r.report())).isEmpty();
  }

  @Test
  void registersAnAsyncOperationWhoseCallbacksAreAllUnawaitable() {
    Registration r =
        register(
            orders(key("a", "{$response.body#/hook}") + key("b", "https://x.example/{$method}")));
    assertThat(r.ok()).isTrue();
    Operation op = r.service().operations().get(0);
    assertThat(op.async()).isTrue();
    assertThat(op.callbacks()).noneMatch(CallbackDefinition::awaitable);
    assertThat(r.report().warnings())
        .extracting(Diagnostic::message)
        .contains(
            "callback a cannot be awaited: the URL is chosen by the service in its response"
                + " ($response.body#/hook), so the runtime cannot own it")
        .contains("callback a can never be awaited: the runtime cannot own its URL")
        .contains("callback b can never be awaited: the runtime cannot own its URL");
  }
}
