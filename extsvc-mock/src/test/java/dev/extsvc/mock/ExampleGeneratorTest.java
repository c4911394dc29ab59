package dev.extsvc.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import org.junit.jupiter.api.Test;

class ExampleGeneratorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistryConfig CONFIG =
      SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();
  private static final SchemaRegistry OPENAPI_31 =
      SchemaRegistry.withDialect(Dialects.getOpenApi31(), b -> b.schemaRegistryConfig(CONFIG));
  private static final SchemaRegistry OPENAPI_30 =
      SchemaRegistry.withDialect(Dialects.getOpenApi30(), b -> b.schemaRegistryConfig(CONFIG));

  private final ExampleGenerator generator = new ExampleGenerator(null);

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  /** Generates a value and checks the schema accepts it. */
  private JsonNode generateValid(String schema) throws Exception {
    JsonNode value = generator.generate(json(schema));
    assertThat(
            OPENAPI_31
                .getSchema(schema, InputFormat.JSON)
                .validate(value.toString(), InputFormat.JSON))
        .as("%s for %s", value, schema)
        .isEmpty();
    return value;
  }

  @Test
  void anObjectGetsAllItsPropertiesRequiredOrNot() throws Exception {
    JsonNode value =
        generateValid(
            """
        {"type":"object","required":["name"],"properties":{
          "name":{"type":"string"},"age":{"type":"integer"},"vip":{"type":"boolean"}}}""");
    assertThat(value.toString()).isEqualTo("{\"name\":\"string\",\"age\":0,\"vip\":true}");
  }

  @Test
  void propertiesWithoutATypeStillMakeAnObject() throws Exception {
    assertThat(generateValid("{\"properties\":{\"a\":{\"type\":\"string\"}}}").path("a").asText())
        .isEqualTo("string");
  }

  @Test
  void stringsFollowTheirFormat() throws Exception {
    assertThat(generateValid("{\"type\":\"string\",\"format\":\"date\"}").asText())
        .isEqualTo("2025-01-15");
    assertThat(generateValid("{\"type\":\"string\",\"format\":\"date-time\"}").asText())
        .isEqualTo("2025-01-15T10:00:00Z");
    assertThat(generateValid("{\"type\":\"string\",\"format\":\"uuid\"}").asText()).hasSize(36);
    assertThat(generateValid("{\"type\":\"string\",\"format\":\"email\"}").asText())
        .isEqualTo("user@example.com");
    assertThat(generateValid("{\"type\":\"string\",\"format\":\"uri\"}").asText())
        .startsWith("https://");
  }

  @Test
  void stringsRespectTheirLengthBounds() throws Exception {
    assertThat(generateValid("{\"type\":\"string\",\"minLength\":10}").asText()).hasSize(10);
    assertThat(generateValid("{\"type\":\"string\",\"maxLength\":3}").asText()).hasSize(3);
  }

  @Test
  void anEnumGivesItsFirstValueAndAConstItsValue() throws Exception {
    assertThat(generateValid("{\"type\":\"string\",\"enum\":[\"approved\",\"rejected\"]}").asText())
        .isEqualTo("approved");
    assertThat(generateValid("{\"const\":42}").asInt()).isEqualTo(42);
  }

  @Test
  void anExampleInTheSchemaWinsOverGeneration() throws Exception {
    assertThat(generateValid("{\"type\":\"string\",\"example\":\"A-1001\"}").asText())
        .isEqualTo("A-1001");
    assertThat(generateValid("{\"type\":\"integer\",\"examples\":[7,8]}").asInt()).isEqualTo(7);
  }

  @Test
  void numbersRespectTheirMinimum() throws Exception {
    assertThat(generateValid("{\"type\":\"integer\",\"minimum\":5}").asLong()).isEqualTo(5);
    assertThat(generateValid("{\"type\":\"integer\",\"exclusiveMinimum\":5}").asLong())
        .isEqualTo(6);
    assertThat(generateValid("{\"type\":\"number\",\"minimum\":1000.5}").asDouble())
        .isEqualTo(1000.5);
    assertThat(generateValid("{\"type\":\"integer\",\"maximum\":-3}").asLong()).isEqualTo(-3);
  }

  @Test
  void anOpenApi30ExclusiveMinimumFlagIsRespected() throws Exception {
    String schema = "{\"type\":\"integer\",\"minimum\":5,\"exclusiveMinimum\":true}";
    JsonNode value = generator.generate(json(schema));
    assertThat(value.asLong()).isEqualTo(6);
    assertThat(
            OPENAPI_30
                .getSchema(schema, InputFormat.JSON)
                .validate(value.toString(), InputFormat.JSON))
        .isEmpty();
  }

  @Test
  void anArrayGetsOneItemOrItsMinimum() throws Exception {
    assertThat(generateValid("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"))
        .isEqualTo(json("[\"string\"]"));
    assertThat(
            generateValid("{\"type\":\"array\",\"minItems\":3,\"items\":{\"type\":\"integer\"}}"))
        .hasSize(3);
  }

  @Test
  void allOfMembersAreMerged() throws Exception {
    JsonNode value =
        generateValid(
            """
        {"allOf":[
          {"type":"object","required":["id"],"properties":{"id":{"type":"string","format":"uuid"}}},
          {"type":"object","properties":{"amount":{"type":"number","minimum":1}}}]}""");
    assertThat(value.has("id")).isTrue();
    assertThat(value.path("amount").asDouble()).isEqualTo(1.0);
  }

  @Test
  void oneOfAndAnyOfTakeTheFirstAlternative() throws Exception {
    assertThat(
            generateValid(
                    "{\"oneOf\":[{\"type\":\"integer\",\"minimum\":3},{\"type\":\"string\"}]}")
                .asInt())
        .isEqualTo(3);
    assertThat(
            generateValid("{\"anyOf\":[{\"type\":\"boolean\"},{\"type\":\"string\"}]}").asBoolean())
        .isTrue();
  }

  @Test
  void aTypeListTakesItsFirstNonNullType() throws Exception {
    assertThat(generateValid("{\"type\":[\"null\",\"string\"]}").asText()).isEqualTo("string");
  }

  @Test
  void aRecursiveSchemaStopsAtTheDepthLimit() throws Exception {
    JsonNode document =
        json(
            """
        {"components":{"schemas":{"Node":{"type":"object","required":["name"],"properties":{
          "name":{"type":"string"},
          "children":{"type":"array","items":{"$ref":"#/components/schemas/Node"}},
          "parent":{"$ref":"#/components/schemas/Node"}}}}}}""");
    JsonNode value =
        new ExampleGenerator(document).generate(document.at("/components/schemas/Node"));

    int depth = 0;
    for (JsonNode n = value; n != null && n.has("parent"); n = n.get("parent")) {
      depth++;
    }
    assertThat(depth).isPositive().isLessThanOrEqualTo(ExampleGenerator.MAX_DEPTH);
    assertThat(value.path("children").path(0).path("name").asText()).isEqualTo("string");
  }

  @Test
  void anUnresolvableRefIsLeftOut() throws Exception {
    JsonNode value =
        generator.generate(
            json(
                """
        {"type":"object","properties":{"a":{"type":"string"},"b":{"$ref":"#/nowhere"}}}"""));
    assertThat(value).isEqualTo(json("{\"a\":\"string\"}"));
  }

  @Test
  void aYamlDocumentResolvesRefsToo() {
    ExampleGenerator fromYaml =
        ExampleGenerator.forDocument(
            """
        components:
          schemas:
            Amount: {type: integer, minimum: 10}
        """);
    JsonNode value =
        fromYaml.generate(JSON.createObjectNode().put("$ref", "#/components/schemas/Amount"));
    assertThat(value.asInt()).isEqualTo(10);
  }
}
