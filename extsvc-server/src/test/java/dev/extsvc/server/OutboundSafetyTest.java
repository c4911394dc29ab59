package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.CalloutException;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where callouts may go and how long and how much they may take, over real sockets. */
class OutboundSafetyTest {
  static final String SERVICE = "Secured";

  @TempDir Path dir;
  final LocalService service = new LocalService();
  final LocalService elsewhere = new LocalService();
  final List<Fixture> fixtures = new ArrayList<>();

  Fixture fixture(Consumer<ExternalServices.Builder> customizer) {
    Fixture f =
        new Fixture(
            dir.resolve("f" + fixtures.size()),
            b -> {
              b.service(SERVICE, s -> s.endpoint(service.url()));
              customizer.accept(b);
            });
    fixtures.add(f);
    assertThat(f.services.register(CredentialsTest.spec(), SERVICE).ok()).isTrue();
    return f;
  }

  static InvocationResult callOpen(Fixture f) {
    return f.services.invoke(SERVICE, "open", new RequestParts(), null, null);
  }

  static int stored(Fixture f) {
    return f.store.invocations(new InvocationQuery(null, null, null, null, null, null, 10)).size();
  }

  @AfterEach
  void stop() {
    fixtures.forEach(Fixture::close);
    service.close();
    elsewhere.close();
  }

  @Test
  void aLoopbackEndpointIsRefusedByDefaultBeforeAnythingIsStoredOrSent() {
    Fixture f = fixture(b -> b.allowPrivateNetworks(false));

    assertThatThrownBy(() -> callOpen(f))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("callout of Secured refused: 127.0.0.1 is a loopback address");
    assertThat(service.seen()).isEmpty();
    assertThat(stored(f)).isZero();
  }

  @Test
  void anOperatorMayAllowOneServicesPrivateEndpoint() {
    Fixture f =
        fixture(
            b -> b.allowPrivateNetworks(false).service(SERVICE, s -> s.allowPrivateNetwork(true)));

    assertThat(callOpen(f).statusCode()).isEqualTo(201);
  }

  @Test
  void aRedirectToLoopbackIsNotFollowed() {
    service.answer(
        s -> new LocalService.Answer(302, "", Map.of("Location", elsewhere.url() + "/steal")));
    Fixture f = fixture(b -> {});

    InvocationResult r = callOpen(f);

    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(elsewhere.seen()).isEmpty();
    assertThat(f.services.invocation(r.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.CANCELLED);
  }

  @Test
  void anAnswerLargerThanTheBoundFailsTheCallout() {
    service.answer(s -> new LocalService.Answer(201, "x".repeat(64 * 1024)));
    Fixture f = fixture(b -> b.service(SERVICE, s -> s.maxResponseBytes(1024)));

    assertThatThrownBy(() -> callOpen(f))
        .isInstanceOf(CalloutException.class)
        .hasMessageContaining("larger than the limit of 1024 bytes");
  }

  @Test
  void aSlowAnswerFailsAtTheTotalTimeout() {
    service.answer(
        s -> {
          try {
            Thread.sleep(3000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new LocalService.Answer(201, "{}");
        });
    Fixture f = fixture(b -> b.service(SERVICE, s -> s.totalTimeout(Duration.ofMillis(300))));

    long started = System.nanoTime();
    assertThatThrownBy(() -> callOpen(f))
        .isInstanceOf(CalloutException.class)
        .hasMessageContaining("no complete answer within the total timeout of PT0.3S");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
  }

  @Test
  void aSpecsServerIsNotAnEndpointUnlessAllowed() throws Exception {
    String payments = Files.readString(Path.of("src/test/resources/specs/payments.yaml"));
    Fixture f = fixture(b -> {});
    f.services.register(payments, "Elsewhere");

    assertThatThrownBy(
            () -> f.services.invoke("Elsewhere", "createPayment", new RequestParts(), null, null))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("callouts go only to a configured endpoint");
  }
}
