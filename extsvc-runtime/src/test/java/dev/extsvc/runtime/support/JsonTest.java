package dev.extsvc.runtime.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void aMessageIsWrittenAsJacksonWritesTheSameObject() {
    for (String message :
        new String[] {
          "Callback handled",
          "",
          "quote \" backslash \\ slash / tab \t newline \n return \r",
          "control \u0001\u001f and delete \u007f",
          "non-ASCII: é ü 日本 \u2028 \ud83d\ude00",
          "Callback not handled: applicationOutcome{$request.body#/id}"
        }) {
      assertThat(Json.message(message))
          .as(message)
          .isEqualTo(Json.MAPPER.createObjectNode().put("message", message).toString());
    }
    assertThat(Json.message(null))
        .isEqualTo(Json.MAPPER.createObjectNode().put("message", (String) null).toString());
  }
}
