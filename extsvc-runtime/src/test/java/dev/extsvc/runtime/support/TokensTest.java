package dev.extsvc.runtime.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TokensTest {
  @Test
  void sha256IsTheStandardHashEachTimeAndOnEveryThread() throws InterruptedException {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    String expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertThat(HexFormat.of().formatHex(Tokens.sha256(abc))).isEqualTo(expected);
    assertThat(HexFormat.of().formatHex(Tokens.sha256(new byte[0])))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    var results = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
    var threads = new java.util.ArrayList<Thread>();
    for (int i = 0; i < 8; i++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int j = 0; j < 1_000; j++) {
                      results.add(HexFormat.of().formatHex(Tokens.sha256(abc)));
                    }
                  }));
    }
    for (var thread : threads) {
      thread.join(10_000);
    }
    assertThat(results).containsExactly(expected);
  }

  @Test
  void mintedTokensAreWellFormedAndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String t = Tokens.mint();
      assertThat(Tokens.wellFormed(t)).as(t).isTrue();
      assertThat(seen.add(t)).isTrue();
    }
  }

  @Test
  void tokensMintedTogetherAreWellFormedAndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      String[] tokens = Tokens.mint(5);
      assertThat(tokens).hasSize(5);
      for (String t : tokens) {
        assertThat(Tokens.wellFormed(t)).as(t).isTrue();
        assertThat(seen.add(t)).isTrue();
      }
    }
  }

  @Test
  void shapesOtherThan43Base64UrlCharactersAreRefused() {
    String ok = Tokens.mint();
    assertThat(Tokens.wellFormed(ok.substring(1))).isFalse();
    assertThat(Tokens.wellFormed(ok + "A")).isFalse();
    assertThat(Tokens.wellFormed(ok.substring(1) + "+")).isFalse();
    assertThat(Tokens.wellFormed(ok.substring(1) + "/")).isFalse();
    assertThat(Tokens.wellFormed(ok.substring(2) + "..")).isFalse();
    assertThat(Tokens.wellFormed("")).isFalse();
  }

  @Test
  void theMaskedUrlShowsAHashPrefixNeverTheToken() {
    String token = Tokens.mint();
    String masked = Tokens.maskedUrl("https://h.example/callbacks", Tokens.hash(token));

    assertThat(masked)
        .startsWith("https://h.example/callbacks/{token sha256:")
        .doesNotContain(token);
    assertThat(Tokens.hashPrefix(Tokens.hash(token)))
        .hasSize(8)
        .isEqualTo(Tokens.hashPrefix(Tokens.hash(token)));
  }

  @Test
  void uuidV7IdsAreVersion7AndSortByTime() {
    UUID earlier = UuidV7.at(Instant.parse("2026-01-01T00:00:00Z"));
    UUID later = UuidV7.at(Instant.parse("2026-01-01T00:00:00.001Z"));

    assertThat(earlier.version()).isEqualTo(7);
    assertThat(earlier.variant()).isEqualTo(2);
    assertThat(earlier.toString().compareTo(later.toString())).isNegative();
  }
}
