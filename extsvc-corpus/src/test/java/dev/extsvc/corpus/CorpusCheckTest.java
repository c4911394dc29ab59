package dev.extsvc.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CorpusCheckTest {

  @Test
  void aDocumentWithoutAwaitableKeysHasTheBaseTimeLimit() {
    assertThat(CorpusCheck.timeLimitSeconds(300, 0)).isEqualTo(300);
  }

  @Test
  void eachAwaitableKeyAddsMoreThanTheLongestAKeyMayWait() {
    long sixtyNine = CorpusCheck.timeLimitSeconds(300, 69);

    assertThat(sixtyNine - CorpusCheck.timeLimitSeconds(300, 68))
        .isGreaterThan(EndToEnd.PATIENCE.toSeconds());
    assertThat(sixtyNine).isGreaterThanOrEqualTo(300 + 69 * EndToEnd.PATIENCE.toSeconds());
  }
}
