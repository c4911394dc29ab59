package dev.extsvc.mock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlsTest {
  @Test
  void theLastSegmentKeepsFourCharacters() {
    assertThat(Urls.mask("http://h:8080/callbacks/abcdefghijkl"))
        .isEqualTo("http://h:8080/callbacks/abcd…");
  }

  @Test
  void aTokenFollowedByALiteralSuffixIsMaskedToo() {
    assertThat(Urls.mask("https://h/callbacks/AbCdEfGhIjKlMnOpQrSt/events"))
        .isEqualTo("https://h/callbacks/AbCd…/even…");
  }

  @Test
  void aQueryIsHiddenEntirely() {
    assertThat(Urls.mask("https://h/hooks?token=secret")).isEqualTo("https://h/hook…?…");
  }

  @Test
  void onlyAbsoluteHttpUrlsAreCallable() {
    assertThat(Urls.callable("http://127.0.0.1:1/x")).isTrue();
    assertThat(Urls.callable("https://bank.example")).isTrue();
    assertThat(Urls.callable("")).isFalse();
    assertThat(Urls.callable("/relative")).isFalse();
    assertThat(Urls.callable("ftp://h/x")).isFalse();
    assertThat(Urls.callable("http://bad host/")).isFalse();
  }
}
