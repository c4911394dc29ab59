package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.extsvc.mock.Delivery;
import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.mock.SharedAddress;
import dev.extsvc.runtime.CallbackSignature;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The mock as the sender of callbacks awaited by correlation (issue 19): with each signature preset
 * it posts the callback, signed, to the runtime's shared address {@code /callbacks/services/Calls},
 * carrying the call id its own synchronous answer holds, and before that answer goes out; the
 * runtime holds it (202) and delivers it once the answer is recorded.
 */
class MockCorrelationEndToEndTest {
  static final String SERVICE = "Calls";
  static final String RAW_SECRET = "shared-secret-of-the-provider";
  static final String STANDARD_SECRET =
      "whsec_"
          + Base64.getEncoder()
              .encodeToString("standard-webhooks-key".getBytes(StandardCharsets.UTF_8));

  static final String SPEC =
      """
      openapi: 3.1.0
      info: { title: Calls, version: "1" }
      paths:
        /calls:
          post:
            operationId: dial
            requestBody:
              content:
                application/json:
                  schema: { type: object, properties: { to: { type: string } } }
            responses:
              "200":
                description: dialled
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        call_id: { type: string, example: "v3:mock-call-7" }
                        status_url: { type: string, example: "https://provider.example/status" }
            callbacks:
              answered:
                x-extsvc-correlation:
                  invocation: $response.body#/call_id
                  callback: $request.body#/data/call_id
                "{$response.body#/status_url}":
                  post:
                    requestBody:
                      required: true
                      content:
                        application/json:
                          schema:
                            type: object
                            required: [event, data]
                            properties:
                              event: { const: call.answered }
                              data: { type: object, properties: { call_id: { type: string } } }
                    responses: { "200": { description: ok } }
      """;

  @TempDir Path dir;

  /**
   * The time the mock signs with: the runtime's. That is the test clock on SQLite; on PostgreSQL
   * the runtime checks a signature's timestamp by the database's clock.
   */
  InstantSource senderClock(Fixture f) {
    return f.clock;
  }

  /** The store under test; SQLite here, PostgreSQL in the subclass. */
  JdbcStore store(Path dir) {
    return JdbcStore.sqlite(dir.resolve("extsvc.db"));
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @EnumSource(SharedAddress.Scheme.class)
  void aSignedCallbackToTheSharedAddressThatBeatsTheAnswerIsHeldThenDelivered(
      SharedAddress.Scheme scheme) {
    String secret = scheme == SharedAddress.Scheme.STANDARD_WEBHOOKS ? STANDARD_SECRET : RAW_SECRET;
    int mockPort = freePort();
    CallbackSignature.Scheme runtimeScheme = CallbackSignature.Scheme.valueOf(scheme.name());
    try (Fixture f =
            new Fixture(
                dir,
                store(dir),
                b ->
                    b.endpoint(SERVICE, "http://127.0.0.1:" + mockPort)
                        .callbackSignature(
                            SERVICE, CallbackSignature.preset(runtimeScheme, Secret.of(secret))));
        MockService mock =
            MockService.builder(Registrar.defaults().register(SPEC, null).service())
                .port(mockPort)
                .keyRule(KeyRule.fixed("answered"))
                .clock(senderClock(f)) // the signatures' timestamps: the runtime's time
                .sharedAddress(
                    new SharedAddress(
                        f.server.localUrl() + "/callbacks/services/" + SERVICE,
                        new SharedAddress.Signing(scheme, secret),
                        true))
                .build()
                .start()) {
      Registration r = f.services.register(SPEC, SERVICE);
      assertThat(r.ok()).as(r.report().toString()).isTrue();

      UUID id =
          f.services
              .invoke(
                  SERVICE,
                  "dial",
                  RequestParts.fromJson(Json.readTrusted("{\"body\":{\"to\":\"+15550100\"}}")),
                  null,
                  Duration.ofHours(1))
              .invocationId();

      // the mock sent the callback before its answer: nothing held the call id yet
      List<Delivery> sent = mock.deliveries();
      assertThat(sent).singleElement().satisfies(d -> assertThat(d.status()).isEqualTo(202));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> f.services.invocation(id).orElseThrow().status().isFinal());
      assertThat(f.services.invocation(id).orElseThrow().status())
          .isEqualTo(InvocationStatus.COMPLETED);
      List<CallbackRow> callbacks = f.services.callbacks(id);
      assertThat(callbacks)
          .singleElement()
          .satisfies(c -> assertThat(c.key()).isEqualTo("answered"));
      assertThat(callbacks.getFirst().body()).contains("\"call_id\":\"v3:mock-call-7\"");
      assertThat(f.services.earlyCallbacks(10)).as("delivered, so neither held nor dead").isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = SharedAddress.Scheme.class,
      names = {"GITHUB", "STANDARD_WEBHOOKS"})
  void aCallbackSignedWithAnotherSecretIsRefused401AndNeverHeld(SharedAddress.Scheme scheme) {
    String secret = scheme == SharedAddress.Scheme.STANDARD_WEBHOOKS ? STANDARD_SECRET : RAW_SECRET;
    String wrong =
        scheme == SharedAddress.Scheme.STANDARD_WEBHOOKS
            ? "whsec_"
                + Base64.getEncoder().encodeToString("another-key".getBytes(StandardCharsets.UTF_8))
            : "not-the-secret";
    int mockPort = freePort();
    try (Fixture f =
            new Fixture(
                dir,
                store(dir),
                b ->
                    b.endpoint(SERVICE, "http://127.0.0.1:" + mockPort)
                        .callbackSignature(
                            SERVICE,
                            CallbackSignature.preset(
                                CallbackSignature.Scheme.valueOf(scheme.name()),
                                Secret.of(secret))));
        MockService mock =
            MockService.builder(Registrar.defaults().register(SPEC, null).service())
                .port(mockPort)
                .keyRule(KeyRule.fixed("answered"))
                .clock(senderClock(f))
                .retries(0)
                .sharedAddress(
                    new SharedAddress(
                        f.server.localUrl() + "/callbacks/services/" + SERVICE,
                        new SharedAddress.Signing(scheme, wrong),
                        true))
                .build()
                .start()) {
      assertThat(f.services.register(SPEC, SERVICE).ok()).isTrue();

      f.services.invoke(
          SERVICE,
          "dial",
          RequestParts.fromJson(Json.readTrusted("{\"body\":{\"to\":\"+15550100\"}}")),
          null,
          Duration.ofHours(1));

      assertThat(mock.deliveries())
          .singleElement()
          .satisfies(d -> assertThat(d.status()).isEqualTo(401));
      assertThat(f.services.earlyCallbacks(10)).isEmpty();
    }
  }
}
