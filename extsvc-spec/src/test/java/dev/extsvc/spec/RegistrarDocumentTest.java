package dev.extsvc.spec;

import static dev.extsvc.spec.Documents.finding;
import static dev.extsvc.spec.Documents.lineOf;
import static dev.extsvc.spec.Documents.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistrarDocumentTest {

  @Test
  void reportsMalformedJsonWithLineAndColumn() {
    String doc =
        "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\" \"version\": \"1\"}\n}";
    Registration r = register(doc);

    assertThat(r.ok()).isFalse();
    Diagnostic d = finding(r, "malformed JSON");
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.line()).isEqualTo(3);
    assertThat(d.message()).contains("at line 3, column");
    assertThat(d.pointer()).isEmpty();
  }

  @Test
  void reportsMalformedYamlWithLine() {
    String doc = "openapi: 3.0.3\ninfo:\n  title: t\n   version: [1\n";
    Diagnostic d = finding(register(doc), "malformed YAML");
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.line()).isBetween(3, 5);
    assertThat(d.message()).contains("column");
  }

  @Test
  void treatsDuplicateMembersAsMalformed() {
    String doc = "openapi: 3.0.3\ninfo:\n  title: t\n  title: u\n";
    Diagnostic d = finding(register(doc), "Duplicate field 'title'");
    assertThat(d.line()).isEqualTo(4);
  }

  @Test
  void refusesSwagger2WithAClearMessage() {
    String doc =
        "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": \"t\", \"version\": \"1\"},\n  \"paths\": {}\n}";
    Diagnostic d = finding(register(doc), "Swagger 2.0 document");
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.pointer()).isEqualTo("/swagger");
    assertThat(d.line()).isEqualTo(2);
    assertThat(d.message()).contains("OpenAPI 3.0 and 3.1 only");
  }

  @Test
  void refusesADocumentWithoutOpenapi() {
    Registration r = register("info:\n  title: t\n  version: '1'\npaths: {}\n");
    assertThat(finding(r, "the member 'openapi'").message()).contains("not an OpenAPI document");
    assertThat(r.ok()).isFalse();
  }

  @Test
  void refusesOtherOpenApiVersions() {
    Diagnostic d =
        finding(
            register("openapi: 4.0.0\ninfo:\n  title: t\n  version: '1'\npaths: {}\n"),
            "not supported");
    assertThat(d.pointer()).isEqualTo("/openapi");
    assertThat(d.line()).isEqualTo(1);
  }

  @Test
  void refusesJsonOverTheConfiguredLimit() {
    String doc =
        "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"a long enough title\", \"version\": \"1\"}, \"paths\": {}}";
    Registration r = Registrar.builder().maxJsonBytes(50).build().register(doc, null);
    Diagnostic d = finding(r, "bytes");
    assertThat(d.message())
        .isEqualTo(
            "document is "
                + doc.length()
                + " bytes; the limit for JSON is 50 bytes"
                + " (configure Registrar.builder().maxJsonBytes(...) to allow more)");
  }

  @Test
  void refusesYamlOverTheConfiguredLimitEvenWhenJsonWouldFit(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("big.yaml");
    Files.writeString(
        file,
        "openapi: 3.0.3\ninfo:\n  title: " + "x".repeat(2048) + "\n  version: '1'\npaths: {}\n");
    Registration r = Registrar.builder().maxYamlBytes(1024).build().register(file, null);
    assertThat(finding(r, "bytes").message())
        .contains("the limit for YAML is 1 KB")
        .contains("maxYamlBytes");
  }

  @Test
  void reportsAMissingFileInsteadOfThrowing(@TempDir Path dir) {
    Registration r = Registrar.defaults().register(dir.resolve("nope.json"), null);
    assertThat(r.ok()).isFalse();
    assertThat(finding(r, "nope.json").message()).contains("no such file");
  }

  @Test
  void reportsAnUnresolvableRefWhereItIsWritten() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /a:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Missing'
        """;
    Registration r = register(doc);
    assertThat(r.ok()).isFalse();
    Diagnostic d = finding(r, "Missing");
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.pointer())
        .isEqualTo("/paths/~1a/get/responses/200/content/application~1json/schema/$ref");
    assertThat(d.line()).isEqualTo(lineOf(doc, "$ref"));
    assertThat(d.message())
        .isEqualTo("$ref '#/components/schemas/Missing' points to nothing in this document");
  }

  @Test
  void refusesReferencesToOtherFiles() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /a:
            $ref: 'other.yaml#/paths/a'
        """;
    Diagnostic d = finding(register(doc), "other.yaml");
    assertThat(d.message()).contains("points outside this document").contains("bundle");
    assertThat(d.line()).isEqualTo(5);
  }

  @Test
  void reportsDuplicateOperationIds() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /a:
            get:
              operationId: fetch
              responses: {'200': {description: ok}}
          /b:
            get:
              operationId: fetch
              responses: {'200': {description: ok}}
        """;
    Registration r = register(doc);
    Diagnostic d = finding(r, "operationId 'fetch'");
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.pointer()).isEqualTo("/paths/~1b/get/operationId");
    assertThat(d.line()).isEqualTo(10);
    assertThat(d.message()).contains("already used by GET /a");
    assertThat(r.ok()).isFalse();
  }

  @Test
  void makesUniqueIdsFromMethodAndPath() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /applications/{id}:
            parameters:
              - {name: id, in: path, required: true, schema: {type: string}}
            post:
              responses: {'200': {description: ok}}
            get:
              operationId: postApplicationsId
              responses: {'200': {description: ok}}
        """;
    ServiceDefinition s = register(doc).service();
    assertThat(s.operations())
        .extracting(Operation::id)
        .containsExactly("postApplicationsId2", "postApplicationsId");
    assertThat(OperationReader.madeUpId("post", "/applications/{id}"))
        .isEqualTo("postApplicationsId");
  }

  @Test
  void turnsSwaggerParserFindingsIntoErrorsAndWarningsWithPointers() {
    String doc =
        """
        openapi: 3.0.3
        info:
          title: t
        paths:
          /a:
            get:
              responses:
                '200':
                  description: ok
                  colour: blue
        """;
    Registration r = register(doc);
    Diagnostic missing = finding(r, "info.version is missing");
    assertThat(missing.severity()).isEqualTo(Severity.ERROR);
    assertThat(missing.pointer()).isEqualTo("/info");
    assertThat(missing.line()).isEqualTo(2);
    Diagnostic unexpected = finding(r, "colour is unexpected");
    assertThat(unexpected.severity()).isEqualTo(Severity.WARNING);
    assertThat(unexpected.pointer()).isEqualTo("/paths/~1a/get/responses/200/colour");
    assertThat(unexpected.line()).isEqualTo(10);
  }

  @Test
  void readsParametersBodiesResponsesAndExamples() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        servers:
          - url: https://api.example/v1
          - url: /
        paths:
          /items/{id}:
            parameters:
              - {name: id, in: path, schema: {type: string}}
              - {name: trace, in: header, description: old, schema: {type: string}}
            put:
              parameters:
                - {name: trace, in: header, required: true, description: new, schema: {type: string}}
                - $ref: '#/components/parameters/Limit'
              requestBody:
                required: true
                content:
                  text/plain:
                    schema: {type: string}
                  application/merge-patch+json:
                    schema: {$ref: '#/components/schemas/Item'}
                    examples:
                      first: {$ref: '#/components/examples/One'}
                      second: {value: {name: b}}
              responses:
                '200':
                  description: done
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/Item'}
                '4XX':
                  $ref: '#/components/responses/Problem'
                default:
                  description: other
        components:
          parameters:
            Limit: {name: limit, in: query, schema: {type: integer}}
          examples:
            One: {value: {name: a}}
          responses:
            Problem:
              description: a problem
              content:
                application/problem+json:
                  schema: {type: object}
                  example: {title: nope}
          schemas:
            Item:
              type: object
              description: an item
              example: {name: z}
              properties:
                name: {type: string}
        """;
    Registration r = register(doc);
    assertThat(r.report().errors()).isEmpty();
    ServiceDefinition s = r.service();
    assertThat(s.servers()).containsExactly("https://api.example/v1", "/");
    Operation put = s.operations().get(0);
    assertThat(put.id()).isEqualTo("putItemsId");
    assertThat(put.parameters())
        .extracting(Parameter::name)
        .containsExactly("id", "trace", "limit");
    assertThat(put.parameters().get(0).required()).isTrue();
    assertThat(put.parameters().get(1).description()).isEqualTo("new");
    assertThat(put.parameters().get(1).required()).isTrue();
    assertThat(put.requestBody().mediaType()).isEqualTo("application/merge-patch+json");
    assertThat(put.requestBody().required()).isTrue();
    assertThat(put.requestBody().example().toString()).isEqualTo("{\"name\":\"a\"}");
    assertThat(put.responses()).containsOnlyKeys("200", "4XX", "default");
    assertThat(put.responses().keySet()).containsExactly("200", "4XX", "default");
    ResponseDefinition ok = put.responses().get("200");
    assertThat(ok.description()).isEqualTo("done");
    assertThat(ok.schema().path("description").asText()).isEqualTo("an item");
    assertThat(ok.example().toString()).isEqualTo("{\"name\":\"z\"}");
    ResponseDefinition problem = put.responses().get("4XX");
    assertThat(problem.mediaType()).isEqualTo("application/problem+json");
    assertThat(problem.example().toString()).isEqualTo("{\"title\":\"nope\"}");
    assertThat(put.responses().get("default").mediaType()).isNull();
  }

  @Test
  void keepsARefForRecursionAndDoesNotHang() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /trees:
            post:
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Node'}
              responses: {'200': {description: ok}}
        components:
          schemas:
            Node:
              type: object
              properties:
                children:
                  type: array
                  items: {$ref: '#/components/schemas/Node'}
                parent:
                  $ref: '#/components/schemas/Other'
            Other:
              properties:
                back: {$ref: '#/components/schemas/Node'}
        """;
    Registration r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> register(doc));
    assertThat(r.ok()).isTrue();
    var schema = r.service().operations().get(0).requestBody().schema();
    assertThat(schema.at("/properties/children/items/$ref").asText())
        .isEqualTo("#/components/schemas/Node");
    assertThat(schema.at("/properties/parent/properties/back/$ref").asText())
        .isEqualTo("#/components/schemas/Node");
  }

  @Test
  void registersASmall31Document() {
    String doc =
        """
        {
          "openapi": "3.1.0",
          "info": {"title": "Hooks", "version": "0.1"},
          "paths": {
            "/subscriptions": {
              "post": {
                "operationId": "subscribe",
                "requestBody": {"content": {"application/json": {"schema": {
                  "type": "object",
                  "properties": {
                    "url": {"type": "string", "format": "uri"},
                    "note": {"type": ["string", "null"]}
                  },
                  "examples": [{"url": "https://me.example"}]
                }}}},
                "callbacks": {
                  "event": {
                    "{$request.body#/url}": {
                      "post": {
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}}
                      }
                    }
                  }
                }
              }
            }
          },
          "components": {"schemas": {"Event": {"type": "object", "properties": {"kind": {"const": "ping"}}}}}
        }
        """;
    Registration r = register(doc);
    assertThat(NoDataWarnings.besides(r.report())).isEmpty();
    Operation subscribe = r.service().operation("subscribe").orElseThrow();
    assertThat(r.service().openApiVersion()).isEqualTo("3.1.0");
    assertThat(subscribe.requestBody().example().toString())
        .isEqualTo("{\"url\":\"https://me.example\"}");
    assertThat(subscribe.requestBody().schema().at("/properties/note/type").toString())
        .isEqualTo("[\"string\",\"null\"]");
    CallbackDefinition event = subscribe.callbacks().get(0);
    assertThat(event.target()).isEqualTo(new InjectionTarget.Body("/url"));
    assertThat(event.requestBody().schema().at("/properties/kind/const").asText())
        .isEqualTo("ping");
    assertThat(event.pointer())
        .isEqualTo("/paths/~1subscriptions/post/callbacks/event/{$request.body#~1url}/post");
  }

  @Test
  void resolvesRefsUnderNamesThatAreAlsoKeywords() {
    String doc =
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /a:
            post:
              requestBody:
                content:
                  application/json:
                    schema:
                      properties:
                        example: {$ref: '#/components/schemas/default'}
                        enum: {$ref: '#/components/schemas/Missing'}
              responses:
                default:
                  $ref: '#/components/responses/Gone'
        components:
          schemas:
            default: {type: string, enum: [{$ref: not-a-reference}]}
        """;
    Registration r = register(doc);
    assertThat(r.report().errors())
        .extracting(Diagnostic::pointer)
        .containsExactly(
            "/paths/~1a/post/requestBody/content/application~1json/schema/properties/enum/$ref",
            "/paths/~1a/post/responses/default/$ref");
    Registration fixed =
        register(
            doc.replace("#/components/schemas/Missing", "#/components/schemas/default")
                .replace("$ref: '#/components/responses/Gone'", "description: other"));
    assertThat(fixed.report().errors()).isEmpty();
    var schema = fixed.service().operations().get(0).requestBody().schema();
    assertThat(schema.at("/properties/example/type").asText()).isEqualTo("string");
    assertThat(schema.at("/properties/example/enum/0/$ref").asText()).isEqualTo("not-a-reference");
  }
}
