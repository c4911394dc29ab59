package dev.extsvc.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.palantir.javapoet.JavaFile;
import dev.extsvc.spec.ComponentSchemas;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Shapes of real documents that once broke generation (docs/compatibility.md), each on a minimal
 * document written here: the generated code compiles, and generation stays bounded.
 */
class DocumentShapesTest {

  private static ServiceDefinition register(String document) {
    Registration r = Registrar.defaults().register(document, null);
    assertThat(r.report().errors()).isEmpty();
    return r.service();
  }

  private static final String SAME_STRUCTURE_UNIONS =
      """
      openapi: 3.0.3
      info: { title: Errors, version: "1" }
      paths:
        /a:
          post:
            operationId: a
            responses:
              "403":
                description: two components with one structure
                content:
                  application/json:
                    schema:
                      oneOf:
                        - $ref: "#/components/schemas/Premature"
                        - $ref: "#/components/schemas/Unprovisioned"
              "422":
                description: the same record in a second union
                content:
                  application/json:
                    schema:
                      oneOf:
                        - $ref: "#/components/schemas/InvalidJson"
                        - $ref: "#/components/schemas/Premature"
                        - $ref: "#/components/schemas/Other"
      components:
        schemas:
          Premature:
            type: object
            required: [title]
            properties: { title: { type: string }, detail: { type: string } }
          Unprovisioned:
            type: object
            required: [title]
            properties: { title: { type: string }, detail: { type: string } }
          InvalidJson:
            type: object
            required: [title]
            properties: { title: { type: string }, detail: { type: string } }
          Other:
            type: object
            properties: { code: { type: integer } }
      """;

  @Test
  void alternativesWithTheSameStructureArePermittedOnceAndImplementedOnce() {
    List<JavaFile> files = JavaClientGenerator.generate(register(SAME_STRUCTURE_UNIONS), "gen");
    String premature = source(files, "Premature");
    assertThat(premature).contains("implements AResponse403, AResponse422 {");
    assertThat(source(files, "AResponse403")).contains("permits Premature {");
    assertThat(source(files, "AResponse422")).contains("permits Premature, Other {");
    InMemoryCompiler.compile(files, Map.of());
  }

  @Test
  void anObjectWithMorePropertiesThanARecordMayHaveIsABuiltClassThatReadsAndWritesItsJson()
      throws Exception {
    StringBuilder properties = new StringBuilder();
    for (int i = 1; i <= 300; i++) {
      properties.append("        p").append(i).append(": { type: string }\n");
    }
    String document =
        """
        openapi: 3.0.3
        info: { title: Report, version: "1" }
        paths:
          /rows:
            get:
              operationId: rows
              responses:
                "200":
                  description: a row with 300 columns
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/Row" }
        components:
          schemas:
            Row:
              type: object
              required: [p1]
              properties:
                builder: { type: string }
        """
            + properties;
    List<JavaFile> files = JavaClientGenerator.generate(register(document), "gen");
    assertThat(source(files, "Row"))
        .contains("public final class Row {", "public static final class Builder {");
    ClassLoader loader =
        InMemoryCompiler.compile(
            files,
            Map.of(
                "gen.Probe",
                """
        package gen;
        import com.fasterxml.jackson.databind.json.JsonMapper;
        public class Probe implements java.util.function.Supplier<String> {
          @Override
          public String get() {
            try {
              var m = JsonMapper.builder().build();
              Row row = m.readValue("{\\"p1\\":\\"a\\",\\"p300\\":\\"z\\",\\"builder\\":\\"b\\",\\"extra\\":1}", Row.class);
              String back = m.writeValueAsString(row);
              boolean missingRequired;
              try {
                m.readValue("{\\"p2\\":\\"x\\"}", Row.class);
                missingRequired = false;
              } catch (Exception expected) {
                missingRequired = true;
              }
              return row.p1() + row.p300() + row.builder_() + " " + back + " " + missingRequired + " "
                  + row.equals(Row.builder().p1("a").p300("z").builder_("b").build());
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        }
        """));
    @SuppressWarnings("unchecked") // the probe is a Supplier<String> by construction
    Supplier<String> probe =
        (Supplier<String>) loader.loadClass("gen.Probe").getDeclaredConstructor().newInstance();
    assertThat(probe.get())
        .isEqualTo("azb {\"builder\":\"b\",\"p1\":\"a\",\"p300\":\"z\"} true true");
  }

  @Test
  void componentsThatMultiplyWhenInlinedAreGeneratedInBoundedTimeAndMemory() {
    // Each level refers to the one below twice: written out, level 40 has 2^40 nodes. No operation
    // uses them, so
    // registration (which inlines only what operations use) accepts the document; the generator
    // reads every
    // component to name schemas and used to write each one out in full.
    StringBuilder document =
        new StringBuilder(
            """
        openapi: 3.0.3
        info: { title: Deep, version: "1" }
        paths:
          /a:
            get:
              operationId: a
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/L0" }
        components:
          schemas:
            L0:
              type: object
              properties: { v: { type: string } }
        """);
    for (int i = 1; i <= 40; i++) {
      document
          .append("    L")
          .append(i)
          .append(":\n      type: object\n      properties:\n")
          .append("        left: { $ref: \"#/components/schemas/L")
          .append(i - 1)
          .append("\" }\n")
          .append("        right: { $ref: \"#/components/schemas/L")
          .append(i - 1)
          .append("\" }\n");
    }
    ServiceDefinition service = register(document.toString());
    List<JavaFile> files =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20), () -> JavaClientGenerator.generate(service, "gen"));
    assertThat(source(files, "L0")).contains("record L0(");
    InMemoryCompiler.compile(files, Map.of());
  }

  @Test
  void componentsThatReferToEachOtherInCirclesAreInlinedOnlyUpToTheLimit() {
    // Every component refers to every other: each path through them is written out on its own
    // (recursion is cut
    // where it closes, as registration cuts it), so nothing can be shared, and only the limit
    // bounds the work.
    StringBuilder document =
        new StringBuilder(
            "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Circles\",\"version\":\"1\"},"
                + "\"paths\":{},\"components\":{\"schemas\":{");
    for (int i = 0; i < 10; i++) {
      document
          .append(i == 0 ? "" : ",")
          .append("\"K")
          .append(i)
          .append("\":{\"type\":\"object\",\"properties\":{");
      for (int j = 0; j < 10; j++) {
        document
            .append(j == 0 ? "" : ",")
            .append("\"k")
            .append(j)
            .append("\":{\"$ref\":\"#/components/schemas/K")
            .append(j)
            .append("\"}");
      }
      document.append("}}");
    }
    document.append("}}}");
    ComponentSchemas schemas =
        register(document.toString()).components().withMaxInlinedNodes(20_000);
    Components components =
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> new Components(schemas));
    assertThat(components.schema("K1"))
        .hasValueSatisfying(
            k1 ->
                assertThat(k1.at("/properties/k2/$ref").asText())
                    .as("kept as a reference once the limit is reached")
                    .isEqualTo("#/components/schemas/K2"));
    assertThat(components.nameOf(components.schema("K0").orElseThrow())).hasValue("K0");
  }

  static String source(List<JavaFile> files, String type) {
    return files.stream()
        .filter(f -> f.typeSpec().name().equals(type))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no type "
                        + type
                        + " among "
                        + files.stream().map(f -> f.typeSpec().name()).toList()))
        .toString();
  }
}
