package dev.extsvc.runtime.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Standard Webhooks signatures, with the specification's reference vector. */
class WebhookSignaturesTest {
  // The reference vector published with the Standard Webhooks specification.
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final long TIMESTAMP = 1614265330L;
  static final byte[] PAYLOAD = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
  static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  static final Instant AT = Instant.ofEpochSecond(TIMESTAMP);

  final WebhookSignatures signatures = new WebhookSignatures(List.of(SECRET));

  @Test
  void theReferenceVectorSignsAndVerifies() {
    assertThat(signatures.sign(ID, TIMESTAMP, PAYLOAD)).isEqualTo(SIGNATURE);
    assertThat(signatures.verify(ID, Long.toString(TIMESTAMP), SIGNATURE, PAYLOAD, AT)).isTrue();
  }

  @Test
  void anyOfSeveralSignaturesMayMatchForKeyRotation() {
    String several = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + SIGNATURE + " v2,abc";

    assertThat(signatures.verify(ID, Long.toString(TIMESTAMP), several, PAYLOAD, AT)).isTrue();
    assertThat(
            new WebhookSignatures(List.of("whsec_" + "AAAA", SECRET))
                .verify(ID, Long.toString(TIMESTAMP), SIGNATURE, PAYLOAD, AT))
        .isTrue();
  }

  @Test
  void aChangedBodyIdOrTimestampFails() {
    assertThat(
            signatures.verify(
                ID,
                Long.toString(TIMESTAMP),
                SIGNATURE,
                "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8),
                AT))
        .isFalse();
    assertThat(signatures.verify(ID + "x", Long.toString(TIMESTAMP), SIGNATURE, PAYLOAD, AT))
        .isFalse();
    assertThat(signatures.verify(ID, Long.toString(TIMESTAMP + 1), SIGNATURE, PAYLOAD, AT))
        .isFalse();
  }

  @Test
  void timestampsOutsideFiveMinutesEitherWayAreRefused() {
    assertThat(
            signatures.verify(
                ID, Long.toString(TIMESTAMP), SIGNATURE, PAYLOAD, AT.plusSeconds(300)))
        .isTrue();
    assertThat(
            signatures.verify(
                ID, Long.toString(TIMESTAMP), SIGNATURE, PAYLOAD, AT.plusSeconds(301)))
        .isFalse();
    assertThat(
            signatures.verify(
                ID, Long.toString(TIMESTAMP), SIGNATURE, PAYLOAD, AT.minusSeconds(301)))
        .isFalse();
  }

  @Test
  void missingOrMalformedHeadersFail() {
    assertThat(signatures.verify(null, Long.toString(TIMESTAMP), SIGNATURE, PAYLOAD, AT)).isFalse();
    assertThat(signatures.verify(ID, "soon", SIGNATURE, PAYLOAD, AT)).isFalse();
    assertThat(signatures.verify(ID, Long.toString(TIMESTAMP), "v1,not base64!", PAYLOAD, AT))
        .isFalse();
    assertThat(signatures.verify(ID, Long.toString(TIMESTAMP), null, PAYLOAD, AT)).isFalse();
  }
}
