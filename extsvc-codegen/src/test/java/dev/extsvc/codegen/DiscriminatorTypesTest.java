package dev.extsvc.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import com.palantir.javapoet.JavaFile;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The generated types take a discriminated union's bodies by the rule the runtime validates with:
 * the mapping's values, else the member's own {@code const}/{@code enum}, else its schema name.
 */
class DiscriminatorTypesTest {

  /** A 3.1 document with a callback whose body is {@code Payment}; components as given. */
  static String document(String components) {
    return """
        {"openapi":"3.1.0","info":{"title":"Pay","version":"1"},
         "paths":{"/pay":{"post":{"operationId":"pay",
           "parameters":[{"name":"cb","in":"query","required":true,"schema":{"type":"string"}}],
           "responses":{"202":{"description":"accepted"}},
           "callbacks":{"paid":{"{$request.query.cb}":{"post":{
             "requestBody":{"required":true,"content":{"application/json":{
               "schema":{"$ref":"#/components/schemas/Payment"}}}},
             "responses":{"204":{"description":"ok"}}}}}}}}},
         "components":{"schemas":%s}}"""
        .formatted(components);
  }

  static final String MEMBERS =
      """
       "Card":{"type":"object","required":["type","number"],
               "properties":{"type":{%s},"number":{"type":"string"}}},
       "Bank":{"type":"object","required":["type","iban"],
               "properties":{"type":{%s},"iban":{"type":"string"}}}""";

  /** What the probe reads each body as: the record's simple name, or the failure's class. */
  static String read(String components, String... bodies) throws Exception {
    Registration r = Registrar.defaults().register(document(components), null);
    assertThat(r.report().errors()).isEmpty();
    List<JavaFile> files = JavaClientGenerator.generate(r.service(), "gen");
    StringBuilder calls = new StringBuilder();
    for (String body : bodies) {
      calls.append("out.add(read(m, \"").append(body.replace("\"", "\\\"")).append("\"));\n");
    }
    ClassLoader loader =
        InMemoryCompiler.compile(
            files,
            Map.of(
                "gen.Probe",
                """
                package gen;
                import com.fasterxml.jackson.databind.json.JsonMapper;
                import java.util.ArrayList;
                import java.util.List;
                public class Probe implements java.util.function.Supplier<String> {
                  static String read(JsonMapper m, String body) {
                    try {
                      return m.readValue(body, Payment.class).getClass().getSimpleName();
                    } catch (Exception e) {
                      return "refused";
                    }
                  }
                  @Override
                  public String get() {
                    var m = JsonMapper.builder().build();
                    List<String> out = new ArrayList<>();
                    %s
                    return String.join(" ", out);
                  }
                }
                """
                    .formatted(calls)));
    @SuppressWarnings("unchecked") // the probe is a Supplier<String> by construction
    Supplier<String> probe =
        (Supplier<String>) loader.loadClass("gen.Probe").getDeclaredConstructor().newInstance();
    Thread.currentThread().setContextClassLoader(loader);
    try {
      return probe.get();
    } finally {
      Thread.currentThread().setContextClassLoader(DiscriminatorTypesTest.class.getClassLoader());
    }
  }

  static final String UNION =
      "\"Payment\":{\"oneOf\":[{\"$ref\":\"#/components/schemas/Card\"},"
          + "{\"$ref\":\"#/components/schemas/Bank\"}],\"discriminator\":{\"propertyName\":\"type\"%s}},";

  @Test
  void aOneOfWithConstMembersIsReadByTheConstants() throws Exception {
    String components =
        "{"
            + UNION.formatted("")
            + MEMBERS.formatted("\"const\":\"card\"", "\"const\":\"bank\"")
            + "}";

    assertThat(
            read(
                components,
                "{\"type\":\"card\",\"number\":\"4111\"}",
                "{\"type\":\"bank\",\"iban\":\"DE89\"}",
                "{\"type\":\"Card\",\"number\":\"4111\"}"))
        .isEqualTo("Card Bank refused");
  }

  @Test
  void aOneOfWithoutMappingOrConstantsIsReadByTheSchemaNames() throws Exception {
    String components =
        "{"
            + UNION.formatted("")
            + MEMBERS.formatted("\"type\":\"string\"", "\"type\":\"string\"")
            + "}";

    assertThat(
            read(
                components,
                "{\"type\":\"Card\",\"number\":\"4111\"}",
                "{\"type\":\"Bank\",\"iban\":\"DE89\"}",
                "{\"type\":\"Cash\"}"))
        .isEqualTo("Card Bank refused");
  }

  @Test
  void aMappingGivesEachMemberItsValuesSeveralToo() throws Exception {
    String mapping =
        ",\"mapping\":{\"credit\":\"#/components/schemas/Card\",\"debit\":\"#/components/schemas/Card\","
            + "\"sepa\":\"#/components/schemas/Bank\"}";
    String components =
        "{"
            + UNION.formatted(mapping)
            + MEMBERS.formatted("\"type\":\"string\"", "\"type\":\"string\"")
            + "}";

    assertThat(
            read(
                components,
                "{\"type\":\"credit\",\"number\":\"4111\"}",
                "{\"type\":\"debit\",\"number\":\"4111\"}",
                "{\"type\":\"sepa\",\"iban\":\"DE89\"}",
                "{\"type\":\"Card\",\"number\":\"4111\"}"))
        .isEqualTo("Card Card Bank refused");
  }
}
