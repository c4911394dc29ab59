package dev.extsvc.runtime.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Callback bodies judged as the spec's schema means them, on small documents written for each rule:
 * the callback {@code done} of operation {@code start} posts a body whose schema is {@code Body}.
 */
class SpecPayloadsTest {

  /** A document whose callback body is {@code #/components/schemas/Body}, with these components. */
  static String document(String openapi, String components) {
    return """
        {"openapi":"%s","info":{"title":"Payloads","version":"1"},
         "paths":{"/start":{"post":{"operationId":"start",
           "parameters":[{"name":"cb","in":"query","required":true,"schema":{"type":"string"}}],
           "responses":{"202":{"description":"accepted"}},
           "callbacks":{"done":{"{$request.query.cb}":{"post":{
             "requestBody":{"required":true,"content":{"application/json":{
               "schema":{"$ref":"#/components/schemas/Body"}}}},
             "responses":{"200":{"description":"ok"}}}}}}}}},
         "components":{"schemas":%s}}"""
        .formatted(openapi, components);
  }

  static PayloadValidator validator(String openapi, String components, boolean formats) {
    Registration r = Registrar.defaults().register(document(openapi, components), null);
    assertThat(r.report().errors()).isEmpty();
    ServiceDefinition service = Objects.requireNonNull(r.service());
    CallbackDefinition done = service.operations().get(0).callbacks().get(0);
    JsonNode schema = Objects.requireNonNull(done.requestBody()).schema();
    return PayloadValidator.compile(
        Objects.requireNonNull(schema), service.components(), service.openApiVersion(), formats);
  }

  static final String PAYMENT_31 =
      """
      {"Body":{"oneOf":[{"$ref":"#/components/schemas/Card"},{"$ref":"#/components/schemas/Bank"}],
               "discriminator":{"propertyName":"type"}},
       "Card":{"type":"object","required":["type","number"],
               "properties":{"type":{"const":"card"},"number":{"type":"string"}}},
       "Bank":{"type":"object","required":["type","iban"],
               "properties":{"type":{"const":"bank"},"iban":{"type":"string"}}}}""";

  @Test
  void aDiscriminatorWithConstMembersSelectsTheMemberByItsConstant() {
    PayloadValidator v = validator("3.1.0", PAYMENT_31, false);

    assertThat(v.validate("{\"type\":\"card\",\"number\":\"4111\"}")).isEmpty();
    assertThat(v.validate("{\"type\":\"bank\",\"iban\":\"DE89\"}")).isEmpty();
    assertThat(v.validate("{\"type\":\"card\"}"))
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p).doesNotContain("iban"))
        .anySatisfy(p -> assertThat(p).contains("number"));
    assertThat(v.validate("{\"type\":\"cash\",\"number\":\"1\"}"))
        .anySatisfy(p -> assertThat(p).startsWith("/type:"));
  }

  @Test
  void aDiscriminatorWithoutMappingTakesTheSchemaNamesImplicitly() {
    String components =
        """
        {"Body":{"oneOf":[{"$ref":"#/components/schemas/Cat"},{"$ref":"#/components/schemas/Dog"}],
                 "discriminator":{"propertyName":"kind"}},
         "Cat":{"type":"object","required":["kind"],
                "properties":{"kind":{"type":"string"},"lives":{"type":"integer"}}},
         "Dog":{"type":"object","required":["kind","bark"],
                "properties":{"kind":{"type":"string"},"bark":{"type":"string"}}}}""";
    PayloadValidator v = validator("3.1.0", components, false);

    assertThat(v.validate("{\"kind\":\"Cat\",\"lives\":9}")).isEmpty();
    // Both members would match a Cat without the discriminator (oneOf would refuse two matches).
    assertThat(v.validate("{\"kind\":\"Cat\",\"bark\":\"woof\"}")).isEmpty();
    assertThat(v.validate("{\"kind\":\"Dog\"}")).anySatisfy(p -> assertThat(p).contains("bark"));
    assertThat(v.validate("{\"kind\":\"Cow\"}"))
        .anySatisfy(p -> assertThat(p).startsWith("/kind:"));
  }

  @Test
  void aDiscriminatorMappingNamesTheValuesOfItsMembersIn30() {
    String components =
        """
        {"Body":{"oneOf":[{"$ref":"#/components/schemas/Card"},{"$ref":"#/components/schemas/Bank"}],
                 "discriminator":{"propertyName":"method",
                   "mapping":{"credit_card":"#/components/schemas/Card","sepa":"Bank"}}},
         "Card":{"type":"object","required":["method","number"],
                 "properties":{"method":{"type":"string"},"number":{"type":"string"}}},
         "Bank":{"type":"object","required":["method","iban"],
                 "properties":{"method":{"type":"string"},"iban":{"type":"string"}}}}""";
    PayloadValidator v = validator("3.0.3", components, false);

    assertThat(v.validate("{\"method\":\"credit_card\",\"number\":\"4111\"}")).isEmpty();
    assertThat(v.validate("{\"method\":\"sepa\",\"iban\":\"DE89\"}")).isEmpty();
    assertThat(v.validate("{\"method\":\"sepa\",\"number\":\"4111\"}"))
        .anySatisfy(p -> assertThat(p).contains("iban"));
    assertThat(v.validate("{\"method\":\"Card\",\"number\":\"4111\"}"))
        .anySatisfy(p -> assertThat(p).startsWith("/method:"));
  }

  @Test
  void constAnyOfAllOfAndTypeArraysAreJsonSchema2020In31() {
    String components =
        """
        {"Body":{"type":"object","required":["v","a","n"],
          "properties":{
            "v":{"const":2},
            "a":{"anyOf":[{"type":"string","maxLength":3},{"type":"integer"}]},
            "n":{"type":["string","null"]},
            "both":{"allOf":[{"type":"integer"},{"minimum":10}]}}}}""";
    PayloadValidator v = validator("3.1.0", components, false);

    assertThat(v.validate("{\"v\":2,\"a\":\"abc\",\"n\":null,\"both\":12}")).isEmpty();
    assertThat(v.validate("{\"v\":2,\"a\":7,\"n\":\"x\"}")).isEmpty();
    assertThat(v.validate("{\"v\":3,\"a\":\"abcd\",\"n\":1,\"both\":9}"))
        .anySatisfy(p -> assertThat(p).startsWith("/v:"))
        .anySatisfy(p -> assertThat(p).startsWith("/a:"))
        .anySatisfy(p -> assertThat(p).startsWith("/n:"))
        .anySatisfy(p -> assertThat(p).startsWith("/both:"));
  }

  @Test
  void nullableIsHonouredIn30AndNotIn31() {
    String components =
        """
        {"Body":{"type":"object","properties":{"note":{"type":"string","nullable":true}}}}""";

    assertThat(validator("3.0.3", components, false).validate("{\"note\":null}")).isEmpty();
    assertThat(validator("3.1.0", components, false).validate("{\"note\":null}")).isNotEmpty();
  }

  @Test
  void aRecursiveSchemaCompilesAndValidatesAtEveryDepth() {
    String components =
        """
        {"Body":{"$ref":"#/components/schemas/Node"},
         "Node":{"type":"object","required":["name"],
                 "properties":{"name":{"type":"string"},
                   "children":{"type":"array","items":{"$ref":"#/components/schemas/Node"}}}}}""";
    for (String openapi : new String[] {"3.0.3", "3.1.0"}) {
      PayloadValidator v = validator(openapi, components, false);

      assertThat(
              v.validate(
                  "{\"name\":\"a\",\"children\":[{\"name\":\"b\",\"children\":[{\"name\":\"c\"}]}]}"))
          .isEmpty();
      assertThat(v.validate("{\"name\":\"a\",\"children\":[{\"name\":\"b\",\"children\":[{}]}]}"))
          .anySatisfy(p -> assertThat(p).startsWith("/children/0/children/0:"));
    }
  }

  @Test
  void aRecursiveDiscriminatedUnionSelectsItsMembersAtEveryDepth() {
    String components =
        """
        {"Body":{"$ref":"#/components/schemas/Shape"},
         "Shape":{"oneOf":[{"$ref":"#/components/schemas/Leaf"},{"$ref":"#/components/schemas/Group"}],
                  "discriminator":{"propertyName":"kind"}},
         "Leaf":{"type":"object","required":["kind","size"],
                 "properties":{"kind":{"type":"string"},"size":{"type":"integer"}}},
         "Group":{"type":"object","required":["kind","parts"],
                  "properties":{"kind":{"type":"string"},
                    "parts":{"type":"array","items":{"$ref":"#/components/schemas/Shape"}}}}}""";
    PayloadValidator v = validator("3.1.0", components, false);

    assertThat(
            v.validate(
                "{\"kind\":\"Group\",\"parts\":[{\"kind\":\"Leaf\",\"size\":1},"
                    + "{\"kind\":\"Group\",\"parts\":[{\"kind\":\"Leaf\",\"size\":2}]}]}"))
        .isEmpty();
    assertThat(
            v.validate(
                "{\"kind\":\"Group\",\"parts\":[{\"kind\":\"Group\",\"parts\":[{\"kind\":\"Leaf\"}]}]}"))
        .anySatisfy(p -> assertThat(p).contains("size"));
  }

  @Test
  void formatsAreAnnotationsUnlessAssertionIsAskedFor() {
    String components =
        """
        {"Body":{"type":"object","properties":{"at":{"type":"string","format":"date-time"},
                                              "mail":{"type":"string","format":"email"}}}}""";
    String body = "{\"at\":\"yesterday\",\"mail\":\"nobody\"}";

    for (String openapi : new String[] {"3.0.3", "3.1.0"}) {
      assertThat(validator(openapi, components, false).validate(body)).isEmpty();
      assertThat(validator(openapi, components, true).validate(body))
          .anySatisfy(p -> assertThat(p).startsWith("/at:"))
          .anySatisfy(p -> assertThat(p).startsWith("/mail:"));
    }
  }

  @Test
  void aSchemaTheValidatorCannotCompileIsRefusedAtCompileTimeWithWhere() {
    String components =
        """
        {"Body":{"type":"object","properties":{"code":{"type":"string","pattern":"(unclosed"}}}}""";

    assertThatThrownBy(() -> validator("3.1.0", components, false))
        .isInstanceOf(PayloadValidator.SchemaProblem.class)
        .hasMessageContaining("unclosed");
  }
}
