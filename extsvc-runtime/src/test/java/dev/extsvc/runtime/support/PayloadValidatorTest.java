package dev.extsvc.runtime.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PayloadValidatorTest {
  static final String SCHEMA =
      """
      {"type":"object","required":["applicationNumber","status"],
       "properties":{"applicationNumber":{"type":"string"},"status":{"type":"string"},
                     "approvedAmount":{"type":"number"},"note":{"type":"string","nullable":true}}}""";

  @Test
  void aValidBodyHasNoProblems() {
    PayloadValidator v = PayloadValidator.compile(Json.readTrusted(SCHEMA), "3.0.0");

    assertThat(
            v.validate(
                "{\"applicationNumber\":\"A\",\"status\":\"approved\",\"approvedAmount\":1.5}"))
        .isEmpty();
  }

  @Test
  void problemsSayWhereWithAJsonPointer() {
    PayloadValidator v = PayloadValidator.compile(Json.readTrusted(SCHEMA), "3.0.0");

    assertThat(v.validate("{\"applicationNumber\":7,\"approvedAmount\":\"x\"}"))
        .anySatisfy(p -> assertThat(p).startsWith("/applicationNumber:"))
        .anySatisfy(p -> assertThat(p).startsWith("/approvedAmount:"))
        .anySatisfy(p -> assertThat(p).contains("status"));
  }

  @Test
  void openApi30NullableIsHonoured() {
    PayloadValidator v = PayloadValidator.compile(Json.readTrusted(SCHEMA), "3.0.3");

    assertThat(v.validate("{\"applicationNumber\":\"A\",\"status\":\"s\",\"note\":null}"))
        .isEmpty();
  }
}
