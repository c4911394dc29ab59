package dev.extsvc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code extsvc check} compiles callback body schemas as the runtime does. */
class CheckSchemasTest {
  @TempDir Path dir;

  @Test
  void checkSaysAKeyWhoseSchemaCannotBeValidatedCannotBeAwaitedAndWhere() throws Exception {
    Path doc = dir.resolve("codes.yaml");
    Files.writeString(
        doc,
        """
        openapi: 3.1.0
        info: {title: Codes, version: '1'}
        paths:
          /start:
            post:
              operationId: start
              parameters:
                - {name: cb, in: query, required: true, schema: {type: string}}
              responses: {'202': {description: accepted}}
              callbacks:
                done:
                  '{$request.query.cb}':
                    post:
                      requestBody:
                        required: true
                        content:
                          application/json:
                            schema:
                              type: object
                              properties:
                                code: {type: string, pattern: '(unclosed'}
                      responses: {'204': {description: done}}
        """);

    CliTest.Run r = CliTest.run("check", doc.toString());

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("1 callback keys (0 can be awaited)")
        .contains("cannot be awaited: its body schema cannot be validated")
        .contains(
            "WARNING (#/paths/~1start/post/callbacks/done/{$request.query.cb}/post/requestBody/content/application~1json/schema")
        .contains("registered: 0 error(s), 1 warning(s)");
  }
}
