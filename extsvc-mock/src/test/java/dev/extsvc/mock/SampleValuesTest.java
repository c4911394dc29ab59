package dev.extsvc.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SampleValuesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  JsonNode sample(String schema) throws Exception {
    return SampleValues.of(JSON.readTree(schema));
  }

  @Test
  void examplesEnumsAndConstantsComeFirst() throws Exception {
    assertThat(sample("{\"type\":\"string\",\"example\":\"hello\"}").asText()).isEqualTo("hello");
    assertThat(sample("{\"type\":\"string\",\"enum\":[\"pending\",\"approved\"]}").asText()).isEqualTo("pending");
    assertThat(sample("{\"const\":\"fixed\"}").asText()).isEqualTo("fixed");
  }

  @Test
  void formatsAndBoundsAreRespected() throws Exception {
    assertThat(sample("{\"type\":\"string\",\"format\":\"date-time\"}").asText()).isEqualTo("2026-01-31T12:00:00Z");
    assertThat(sample("{\"type\":\"string\",\"format\":\"uuid\"}").asText()).hasSize(36);
    assertThat(sample("{\"type\":\"string\",\"minLength\":10}").asText()).hasSize(10);
    assertThat(sample("{\"type\":\"integer\",\"minimum\":5}").asLong()).isEqualTo(5);
  }

  @Test
  void objectsArraysAndCompositionsAreFilled() throws Exception {
    JsonNode v = sample("""
        {"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"}},
         "amount":{"type":"number"},"ok":{"type":"boolean"},
         "both":{"allOf":[{"properties":{"a":{"type":"string"}}},{"properties":{"b":{"type":"integer"}}}]},
         "either":{"oneOf":[{"type":"integer"},{"type":"string"}]}}}""");

    assertThat(v.get("tags").get(0).asText()).isEqualTo("string");
    assertThat(v.get("amount").isNumber()).isTrue();
    assertThat(v.get("ok").asBoolean()).isTrue();
    assertThat(v.get("both").has("a")).isTrue();
    assertThat(v.get("both").has("b")).isTrue();
    assertThat(v.get("either").isIntegralNumber()).isTrue();
  }

  @Test
  void recursionStopsAtADepth() throws Exception {
    String deep = "{\"type\":\"object\",\"properties\":{\"next\":".repeat(30) + "{\"type\":\"string\"}" + "}}".repeat(30);

    JsonNode v = sample(deep);

    assertThat(v.toString()).contains("null");
  }
}
