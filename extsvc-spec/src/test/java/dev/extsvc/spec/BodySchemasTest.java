package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BodySchemasTest {
  private static JsonNode json(String text) throws Exception {
    return new ObjectMapper().readTree(text);
  }

  @Test
  void findsPropertiesThroughAllOfAndArrayItems() throws Exception {
    JsonNode schema =
        json(
            "{\"allOf\":[{\"properties\":{\"a\":{\"type\":\"string\"}}},"
                + "{\"properties\":{\"hooks\":{\"type\":\"array\",\"items\":{\"properties\":{\"url\":{\"type\":\"string\"}}}}}}]}");
    assertThat(BodySchemas.undeclared(schema, "/a")).isNull();
    assertThat(BodySchemas.undeclared(schema, "/hooks/0/url")).isNull();
    assertThat(BodySchemas.undeclared(schema, "/hooks/-/url")).isNull();
    assertThat(BodySchemas.undeclared(schema, "/b")).contains("does not declare /b");
  }

  @Test
  void acceptsAnyPlaceInAFreeFormObject() throws Exception {
    assertThat(BodySchemas.undeclared(json("{\"type\":\"object\"}"), "/x/y")).isNull();
    assertThat(
            BodySchemas.undeclared(json("{\"additionalProperties\":{\"type\":\"string\"}}"), "/x"))
        .isNull();
  }

  @Test
  void findsConstantsFromConstAndEnumsOfOne() throws Exception {
    JsonNode schema =
        json(
            "{\"properties\":{\"a\":{\"const\":\"x\"},\"b\":{\"enum\":[1]},\"c\":{\"enum\":[1,2]}}}");
    assertThat(BodySchemas.constants(schema)).containsOnlyKeys("a", "b");
  }

  @Test
  void comparesSchemasWithoutAnnotationsButKeepsPropertiesNamedLikeThem() throws Exception {
    JsonNode a =
        json(
            "{\"description\":\"x\",\"properties\":{\"title\":{\"type\":\"string\",\"title\":\"T\"}}}");
    JsonNode b = json("{\"properties\":{\"title\":{\"type\":\"string\"}}}");
    assertThat(BodySchemas.withoutAnnotations(a)).isEqualTo(BodySchemas.withoutAnnotations(b));
    assertThat(BodySchemas.withoutAnnotations(a).at("/properties/title/type").asText())
        .isEqualTo("string");
  }
}
