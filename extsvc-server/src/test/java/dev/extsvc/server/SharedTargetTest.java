package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several keys share one URL (one webhook_url, several events): the receiver tells them apart by
 * method, literal suffix, then the schema each key declares.
 */
class SharedTargetTest {
  static final List<String> KEYS = new CopyOnWriteArrayList<>();

  static final class EventHandler implements CallbackHandler {
    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {
      KEYS.add(key);
    }
  }

  @TempDir Path dir;

  @BeforeEach
  void reset() {
    KEYS.clear();
  }

  InvocationResult invoke(Fixture fx) {
    return fx.services.invoke(
        "Payments",
        "createPayment",
        RequestParts.fromJson(Json.readTrusted("{\"body\":{\"amount\":100}}")),
        new EventHandler(),
        null);
  }

  @Test
  void oneUrlIsWrittenForAllKeysThatShareTheTarget() throws IOException {
    try (Fixture fx = payments()) {
      InvocationResult r = invoke(fx);

      assertThat(r.callbackUrls())
          .containsOnlyKeys("paymentSettled", "paymentFailed", "refundIssued");
      assertThat(r.callbackUrls().values()).containsOnly(r.callbackUrls().get("paymentSettled"));
      assertThat(Json.readTrusted(fx.bank.received().get(0).body()).get("webhook_url").asText())
          .isEqualTo(r.callbackUrls().get("paymentSettled"));
    }
  }

  @Test
  void theSchemasConstantTellsEventsApart() throws IOException {
    try (Fixture fx = payments()) {
      String hook = invoke(fx).callbackUrls().get("paymentFailed");

      HttpResponse<String> failed =
          fx.postJson(hook, "{\"event\":\"payment.failed\",\"reason\":\"card declined\"}");

      assertThat(failed.statusCode()).isEqualTo(200);
      assertThat(KEYS).containsExactly("paymentFailed");
      String other = invoke(fx).callbackUrls().get("paymentSettled");
      assertThat(fx.postJson(other, "{\"event\":\"payment.settled\",\"amount\":100}").statusCode())
          .isEqualTo(200);
      assertThat(KEYS).containsExactly("paymentFailed", "paymentSettled");
    }
  }

  @Test
  void methodAndSuffixTellEventsApart() throws IOException {
    try (Fixture fx = payments()) {
      String hook = invoke(fx).callbackUrls().get("refundIssued");

      assertThat(fx.postJson(hook + "/refunds", "{\"refundId\":\"r1\"}").statusCode())
          .isEqualTo(404);
      assertThat(
              fx.send("PUT", hook + "/refunds", "application/json", "{\"refundId\":\"r1\"}")
                  .statusCode())
          .isEqualTo(200);
      assertThat(KEYS).containsExactly("refundIssued");
    }
  }

  @Test
  void aBodyMatchingNoKeyIsRefusedNamingEachKey() throws IOException {
    try (Fixture fx = payments()) {
      String hook = invoke(fx).callbackUrls().get("paymentSettled");

      HttpResponse<String> r = fx.postJson(hook, "{\"event\":\"payment.lost\"}");

      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("paymentSettled:").contains("paymentFailed:");
      assertThat(KEYS).isEmpty();
    }
  }

  Fixture payments() throws IOException {
    Fixture fx = new Fixture(dir);
    String yaml = Files.readString(Path.of("src/test/resources/specs/payments.yaml"));
    var reg = fx.services.register(yaml, null);
    assertThat(reg.ok()).as(reg.report().toString()).isTrue();
    return fx;
  }
}
