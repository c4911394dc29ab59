package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.spec.RequestParts;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service that signs its callbacks: good signatures pass, anything else is 401, a replay is a
 * duplicate.
 */
class SignatureTest {
  static final byte[] KEY = "a secret of thirty-two bytes....".getBytes(StandardCharsets.US_ASCII);
  static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);

  @TempDir Path dir;
  Fixture f;
  String url;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f = new Fixture(dir, b -> b.webhookSecrets(Fixture.ACME, SECRET)).withAcme();
    InvocationResult r =
        f.services.invoke(
            Fixture.ACME,
            "SubmitApplication",
            RequestParts.fromJson(Json.readTrusted("{\"body\":{}}")),
            new RecordingHandler("Quinn", CallbackLoopTest.APPROVED),
            null);
    url = r.callbackUrls().get(CallbackLoopTest.APPROVED);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  static String sign(String id, long timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    byte[] sig = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    return "v1," + Base64.getEncoder().encodeToString(sig);
  }

  HttpResponse<String> send(String id, long timestamp, String signature, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", Long.toString(timestamp))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      b.header("webhook-signature", signature);
    }
    return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSignedCallbackIsHandledAndAReplayInsideTheWindowIsADuplicate() throws Exception {
    long now = f.clock.instant().getEpochSecond();
    String body = CallbackLoopTest.APPROVED_BODY;

    assertThat(send("msg_1", now, sign("msg_1", now, body), body).statusCode()).isEqualTo(200);
    f.clock.advance(Duration.ofMinutes(4));
    assertThat(send("msg_1", now, sign("msg_1", now, body), body).statusCode()).isEqualTo(200);

    assertThat(RecordingHandler.SEEN).hasSize(1);
  }

  @Test
  void aReplayOutsideTheWindowIsRefused() throws Exception {
    long then = f.clock.instant().getEpochSecond();
    f.clock.advance(Duration.ofMinutes(6));
    String body = CallbackLoopTest.APPROVED_BODY;

    HttpResponse<String> r = send("msg_2", then, sign("msg_2", then, body), body);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(RecordingHandler.SEEN).isEmpty();
  }

  @Test
  void forgedMissingOrTamperedSignaturesAreRefusedAlike() throws Exception {
    long now = f.clock.instant().getEpochSecond();
    String body = CallbackLoopTest.APPROVED_BODY;

    HttpResponse<String> missing = send("msg_3", now, null, body);
    HttpResponse<String> tampered =
        send("msg_3", now, sign("msg_3", now, body), body.replace("350000", "999999"));
    HttpResponse<String> forged =
        send("msg_3", now, "v1," + Base64.getEncoder().encodeToString(new byte[32]), body);

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(tampered.statusCode()).isEqualTo(401);
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(missing.body()).isEqualTo(tampered.body()).isEqualTo(forged.body());
    assertThat(RecordingHandler.SEEN).isEmpty();
  }
}
