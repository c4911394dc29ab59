package dev.extsvc.spec;

import static dev.extsvc.spec.Documents.finding;
import static dev.extsvc.spec.Documents.lineOf;
import static dev.extsvc.spec.Documents.register;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kinds of callbacks found in the public API corpus (docs/compatibility.md), each on a minimal
 * document written here: what registration decides for them and what it tells the user.
 */
class RealWorldCallbacksTest {

  /**
   * A 3.0 document with one POST /calls operation whose JSON body declares {@code bodyProperties}.
   */
  private static String calls(String bodyProperties, String callbacks) {
    return """
        openapi: 3.0.3
        info: {title: Calls, version: '1'}
        paths:
          /calls:
            post:
              operationId: dial
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
        """
        + bodyProperties.indent(16)
        + """
              responses:
                '200':
                  description: ok
              callbacks:
        """
        + callbacks.indent(8);
  }

  private static String key(String name, String expression) {
    return "'"
        + name
        + "':\n  '"
        + expression
        + "':\n    post:\n      responses: {'200': {description: ok}}\n";
  }

  private static String keyWithBody(String name, String expression, String schema) {
    return "'"
        + name
        + "':\n  '"
        + expression
        + "':\n    post:\n      requestBody:\n        content:\n"
        + "          application/json:\n            schema: "
        + schema
        + "\n"
        + "      responses: {'200': {description: ok}}\n";
  }

  private static List<CallbackDefinition> callbacks(Registration r) {
    return r.service().operations().get(0).callbacks();
  }

  @Test
  void writesTheUrlAtABodyPropertyTheSchemaDoesNotDeclareAndWarns() {
    String doc = calls("to: {type: string}", key("callAnswered", "{$request.body#/webhook_url}"));
    Registration r = register(doc);

    assertThat(r.ok()).isTrue();
    assertThat(callbacks(r).get(0).target()).isEqualTo(new InjectionTarget.Body("/webhook_url"));
    Diagnostic d = finding(r, "does not declare /webhook_url");
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.message())
        .isEqualTo(
            "callback callAnswered: the request body schema does not declare /webhook_url;"
                + " the runtime writes the URL there anyway");
    assertThat(d.line()).isEqualTo(lineOf(doc, "'{$request.body#/webhook_url}':"));
  }

  @Test
  void refusesADottedPointerAndSuggestsTheSlashedOneTheSchemaDeclares() {
    String doc =
        calls(
            "webhooks: {type: object, properties: {url: {type: string}}}",
            key("incomingWebhook", "{$request.body#/webhooks.url}"));
    Registration r = register(doc);

    assertThat(r.ok()).isFalse();
    Diagnostic d = finding(r, "webhooks.url");
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.message())
        .contains(
            "JSON pointers separate levels with '/': write {$request.body#/webhooks/url}"
                + " (the schema declares /webhooks/url)");
    assertThat(d.pointer())
        .isEqualTo("/paths/~1calls/post/callbacks/incomingWebhook/{$request.body#~1webhooks.url}");
    assertThat(d.line()).isEqualTo(lineOf(doc, "'{$request.body#/webhooks.url}':"));
  }

  @Test
  void refusesADottedPointerTheSchemaKnowsNothingAbout() {
    Registration r =
        register(
            calls(
                "callbackUri: {type: string}",
                key("notification", "{$request.body#/subscription.href}")));

    Diagnostic d = finding(r, "subscription.href");
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.message())
        .contains("write {$request.body#/subscription/href}")
        .doesNotContain("the schema declares");
  }

  @Test
  void acceptsADottedMemberTheSchemaDeclaresByThatName() {
    Registration r =
        register(calls("'hook.url': {type: string}", key("done", "{$request.body#/hook.url}")));

    assertThat(NoDataWarnings.besides(r.report())).isEmpty();
    assertThat(callbacks(r).get(0).target()).isEqualTo(new InjectionTarget.Body("/hook.url"));
  }

  @Test
  void acceptsDotsInQueryParameterNames() {
    Registration r =
        register(calls("to: {type: string}", key("done", "{$request.query.hook.url}")));

    assertThat(r.ok()).isTrue();
    assertThat(callbacks(r).get(0).target()).isEqualTo(new InjectionTarget.Query("hook.url"));
  }

  @Test
  void explainsAPlaceholderWrittenInsteadOfAnExpression() {
    Registration r = register(calls("to: {type: string}", key("Event", "{webhookURL}")));

    assertThat(r.ok()).isTrue();
    assertThat(callbacks(r).get(0).notAwaitableReason())
        .startsWith("'{webhookURL}' is a placeholder, not a runtime" + " expression")
        .contains("{$request.body#/callbackUrl}");
    assertThat(finding(r, "is a placeholder").severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  void explainsFreeTextWrittenInsteadOfAUrl() {
    Registration r =
        register(
            calls(
                "to: {type: string}",
                key("media.processing_finished", "Provided URL in /webhook_subscriptions")
                    + key("done", "<WSS liveCallbacks>")));

    assertThat(r.ok()).isTrue();
    assertThat(callbacks(r))
        .extracting(CallbackDefinition::notAwaitableReason)
        .containsExactly(
            "'Provided URL in /webhook_subscriptions' is free text, not a URL template: nothing says where the request"
                + " carries the URL (write an expression such as {$request.body#/callbackUrl})",
            "'<WSS liveCallbacks>' is free text, not a URL template: nothing says where the request carries the URL"
                + " (write an expression such as {$request.body#/callbackUrl})");
  }

  @Test
  void cannotAwaitAStaticUrlSharedThroughComponents() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: Search, version: '1'}
        paths:
          /search:
            get:
              responses: {'200': {description: ok}}
              callbacks:
                'searchTarget === search-index': {$ref: '#/components/callbacks/searchIndex'}
        components:
          callbacks:
            searchIndex:
              'https://search.example.org/api/v1/search/videos':
                post:
                  responses: {'200': {description: ok}}
        """;
    Registration r = register(doc);

    assertThat(r.ok()).isTrue();
    CallbackDefinition c = callbacks(r).get(0);
    assertThat(c.key()).isEqualTo("searchTarget === search-index");
    assertThat(c.notAwaitableReason())
        .isEqualTo(
            "the URL https://search.example.org/api/v1/search/videos is a fixed"
                + " address without an expression: the service calls it without being told, so the runtime cannot own it");
    Diagnostic never = finding(r, "can never be awaited");
    assertThat(never.pointer())
        .isEqualTo("/paths/~1search/get/callbacks/searchTarget === search-index");
    assertThat(never.line()).isEqualTo(lineOf(doc, "'searchTarget === search-index':"));
  }

  @Test
  void keepsCallbackNamesThatAreNotIdentifiersAsWritten() {
    Registration r =
        register(
            calls(
                "webhook_url: {type: string}",
                key("fax.media.processed", "{$response.body#/data/webhook_url}")
                    + key("final-report", "{$request.body#/webhook_url}")
                    + key("a/b ~c", "{$request.body#/webhook_url}")));

    assertThat(r.ok()).isTrue();
    assertThat(r.service().operations().get(0).callbackKeys())
        .containsExactly("fax.media.processed", "final-report", "a/b ~c");
    assertThat(callbacks(r).get(0).notAwaitableReason())
        .contains("chosen by the service in its response");
    assertThat(callbacks(r).get(2).pointer())
        .isEqualTo("/paths/~1calls/post/callbacks/a~1b ~0c/{$request.body#~1webhook_url}/post");
  }

  @Test
  void letsManyKeysShareOneUrlWhenTheirPayloadsTellThemApart() {
    StringBuilder keys = new StringBuilder();
    for (String event :
        List.of(
            "call.initiated", "call.answered", "call.hangup", "call.bridged", "call.speak.ended")) {
      keys.append(
          keyWithBody(
              event,
              "{$request.body#/webhook_url}",
              "{type: object, properties: {event_type: {type: string, enum: ['" + event + "']}}}"));
    }
    Registration r = register(calls("webhook_url: {type: string}", keys.toString()));

    assertThat(NoDataWarnings.besides(r.report())).isEmpty();
    assertThat(callbacks(r))
        .hasSize(5)
        .extracting(CallbackDefinition::target)
        .containsOnly(new InjectionTarget.Body("/webhook_url"));
  }

  @Test
  void warnsForEachPairOfKeysSharingOneUrlThatNothingTellsApart() {
    Registration r =
        register(
            calls(
                "url: {type: string}",
                key("deployment", "{$request.body#/url}")
                    + key("domain", "{$request.body#/url}")
                    + key("alias", "{$request.body#/url}")));

    assertThat(r.ok()).isTrue();
    assertThat(r.report().warnings())
        .extracting(Diagnostic::message)
        .filteredOn(m -> m.contains("cannot be told apart"))
        .hasSize(3);
  }

  @Test
  void refusesADocumentOverTheYamlLimitWithTheSetting() {
    String doc =
        calls("to: {type: string}", key("done", "{$request.body#/to}"))
            + "# "
            + "x".repeat(4096)
            + "\n";
    Registration r = Registrar.builder().maxYamlBytes(4096).build().register(doc, null);

    assertThat(r.ok()).isFalse();
    assertThat(r.report().errors().get(0).message())
        .contains("the limit for YAML is 4 KB")
        .contains("maxYamlBytes");
  }

  @Test
  void refusesSchemasThatMultiplyPastTheInliningLimitAndSaysWhichOneReachedIt() {
    // each level refers twice to the one below: 2^22 nodes once inlined, as in some large public
    // APIs
    StringBuilder schemas = new StringBuilder("L0: {type: string}\n");
    for (int i = 1; i <= 22; i++) {
      schemas
          .append("L")
          .append(i)
          .append(": {properties: {a: {$ref: '#/components/schemas/L")
          .append(i - 1)
          .append("'}, b: {$ref: '#/components/schemas/L")
          .append(i - 1)
          .append("'}}}\n");
    }
    String doc =
        """
        openapi: 3.0.3
        info: {title: Big, version: '1'}
        paths:
          /things:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/L22'}
        components:
          schemas:
        """
            + schemas.toString().indent(4);
    Registration r = register(doc);

    assertThat(r.ok()).isFalse();
    Diagnostic d = finding(r, "nodes when their $refs are inlined");
    assertThat(d.pointer())
        .isEqualTo("/paths/~1things/get/responses/200/content/application~1json/schema");
    assertThat(d.line()).isEqualTo(lineOf(doc, "schema: {$ref"));
  }
}
