package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A callback the spec lets arrive with no data (its body not required, or without a schema)
 * completes its invocation all the same; registration warns where that callback is written.
 */
class EmptyBodyWarningTest {
  private static String spec(String callbackOperation) {
    String head =
        """
        openapi: 3.0.3
        info: {title: Hooks, version: '1'}
        paths:
          /jobs:
            post:
              operationId: start
              parameters:
                - {name: cb, in: query, schema: {type: string}}
              responses: {'202': {description: accepted}}
              callbacks:
                done:
                  '{$request.query.cb}':
        """;
    return head + callbackOperation.stripIndent().indent(12);
  }

  private static Registration register(String callbackOperation) {
    return Registrar.defaults().register(spec(callbackOperation), "Hooks");
  }

  private static final String POINTER =
      "/paths/~1jobs/post/callbacks/done/{$request.query.cb}/post";

  @Test
  void aCallbackWhoseBodyIsNotRequiredRegistersWithAWarningAtItsOperation() {
    Registration r =
        register(
            """
            post:
              requestBody:
                content:
                  application/json:
                    schema: {type: object, properties: {id: {type: string}}}
              responses: {'200': {description: ok}}
            """);

    assertThat(r.report().hasErrors()).isFalse();
    assertThat(r.report().warnings())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.pointer()).isEqualTo(POINTER);
              assertThat(d.line()).isEqualTo(13);
              assertThat(d.message())
                  .startsWith("callback done (POST) does not require its request body")
                  .contains("may carry no data");
            });
  }

  @Test
  void aCallbackWithoutABodyOrWithoutASchemaRegistersWithTheWarningToo() {
    Registration none = register("post:\n  responses: {'200': {description: ok}}\n");
    Registration noSchema =
        register(
            """
            post:
              requestBody:
                required: true
                content: {application/json: {}}
              responses: {'200': {description: ok}}
            """);

    assertThat(none.report().warnings())
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.message())
                    .contains("declares no request body")
                    .contains("an empty body or JSON null"));
    assertThat(noSchema.report().warnings())
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.message())
                    .contains("gives its request body no schema")
                    .contains("an empty body or JSON null"));
  }

  @Test
  void aCallbackWhoseBodyIsRequiredWithASchemaRegistersWithoutFindings() {
    Registration r =
        register(
            """
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {type: object, properties: {id: {type: string}}}
              responses: {'200': {description: ok}}
            """);

    assertThat(r.report().diagnostics()).isEmpty();
  }
}
