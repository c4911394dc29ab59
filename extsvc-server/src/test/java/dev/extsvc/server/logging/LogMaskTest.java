package dev.extsvc.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogMaskTest {
  static final String TOKEN = "q3Vb7xYzA1b2C3d4E5f6G7h8I9j0KkLlMmNnOoPpQqR";

  @Test
  void aTokenUnderTheCallbackPathIsMaskedWhereverItStands() {
    assertThat(LogMask.mask("POST /callbacks/" + TOKEN + " HTTP/1.1"))
        .isEqualTo("POST /callbacks/*** HTTP/1.1");
    assertThat(LogMask.mask("http://h:8080/callbacks/" + TOKEN + "/approved?x=1"))
        .isEqualTo("http://h:8080/callbacks/***/approved?x=1");
    assertThat(LogMask.mask("\"url\":\"https://h/callbacks/" + TOKEN + "\""))
        .isEqualTo("\"url\":\"https://h/callbacks/***\"");
    assertThat(LogMask.mask("u=https%3A%2F%2Fh%2Fcallbacks%2F" + TOKEN + "&y"))
        .isEqualTo("u=https%3A%2F%2Fh%2Fcallbacks%2F***&y");
  }

  @Test
  void aCustomCallbackPathIsMaskedOnceServed() {
    assertThat(LogMask.mask("/hooks/extsvc/" + TOKEN)).contains(TOKEN);

    LogMask.maskCallbackPath("/hooks/extsvc/");

    assertThat(LogMask.mask("GET /hooks/extsvc/" + TOKEN)).isEqualTo("GET /hooks/extsvc/***");
    assertThat(LogMask.mask("/callbacks/" + TOKEN)).isEqualTo("/callbacks/***");
  }

  @Test
  void textWithoutATokenAndTheStoredMaskedFormStayAsTheyAre() {
    assertThat(LogMask.mask("nothing here /callback")).isEqualTo("nothing here /callback");
    assertThat(LogMask.mask("/callbacks/{token sha256:1a2b3c4d}"))
        .isEqualTo("/callbacks/{token sha256:1a2b3c4d}");
  }
}
