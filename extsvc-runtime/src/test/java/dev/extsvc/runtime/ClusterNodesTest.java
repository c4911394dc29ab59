package dev.extsvc.runtime;

import static dev.extsvc.runtime.RuntimeFixture.ACME;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED;
import static dev.extsvc.runtime.RuntimeFixture.APPROVED_BODY;
import static dev.extsvc.runtime.RuntimeFixture.BASE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import dev.extsvc.runtime.testing.InMemoryStore;
import dev.extsvc.spec.ServiceDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several runtimes on one store, as nodes of a cluster are: what one registers, replaces or removes
 * the others follow; a callback reaches whichever node; handler types are allowed by configuration
 * on every node; a node told to stop drains.
 */
class ClusterNodesTest {
  RuntimeFixture a;
  final List<ExternalServices> others = new ArrayList<>();

  @BeforeEach
  void reset() {
    TestHandler.reset();
    a = new RuntimeFixture();
  }

  @AfterEach
  void stop() {
    others.forEach(ExternalServices::close);
    a.close();
    TestHandler.reset();
  }

  /** Another node on A's data: the same clock and base URL, only what {@code configure} adds. */
  ExternalServices node(Consumer<ExternalServices.Builder> configure) {
    InMemoryStore store = a.store.reopen();
    ExternalServices.Builder b =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl(BASE_URL)
            .clock(a.clock)
            .startSweeper(false);
    configure.accept(b);
    ExternalServices node = b.build();
    others.add(node);
    return node;
  }

  @Test
  void aServiceRegisteredOnOneNodeAfterAnotherStartedHasItsCallbacksHandledThere() {
    ExternalServices b = node(n -> n.allowHandlerPackage("dev.extsvc.runtime"));
    assertThat(b.services()).isEmpty();
    a.withAcme();
    InvocationResult r = a.submit(new TestHandler("Ann", APPROVED));

    CallbackResponse answer =
        b.receiver().handle(Callbacks.post(r.callbackUrls().get(APPROVED), APPROVED_BODY));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(TestHandler.SEEN).singleElement().extracting(s -> s.applicant()).isEqualTo("Ann");
    assertThat(a.status(r.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(b.services()).extracting(ServiceDefinition::name).containsExactly(ACME);
  }

  @Test
  void anInvocationOnANodeThatHasNotSeenTheServiceYetLoadsItFromTheStore() {
    ExternalServices b = node(n -> n.endpoint(ACME, a.bank.url()).allowPrivateNetworks(true));
    a.withAcme();

    InvocationResult r =
        b.invoke(ACME, RuntimeFixture.SUBMIT, RuntimeFixture.application("Bo"), null, null);

    assertThat(r.invocationId()).isNotNull();
    assertThatThrownBy(() -> b.invoke("Nobody", "X", RuntimeFixture.application("Bo"), null, null))
        .isInstanceOf(ExtsvcException.class)
        .hasMessageContaining("unknown service 'Nobody'");
  }

  @Test
  void registeringReplacingAndRemovingOnOneNodeReachTheOthersWithinTheCheckInterval() {
    ExternalServices b =
        node(n -> n.startSweeper(true).registryCheckInterval(Duration.ofMillis(50)));

    a.withAcme();
    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> b.services().stream().anyMatch(s -> s.name().equals(ACME)));

    String replaced =
        RuntimeFixture.acmeSpec()
            .replaceFirst("\"version\"\\s*:\\s*\"[^\"]*\"", "\"version\": \"9.9.9\"");
    assertThat(a.services.register(replaced, null).ok()).isTrue();
    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> b.services().getFirst().version().equals("9.9.9"));

    assertThat(a.services.unregister(ACME)).isTrue();
    await().atMost(Duration.ofSeconds(1)).until(() -> b.services().isEmpty());
    assertThat(a.services.services()).isEmpty();
    assertThat(a.services.unregister(ACME)).isFalse();
  }

  @Test
  void aCallbackForARemovedServiceIsAnswered404OnEveryNode() {
    ExternalServices b = node(n -> n.allowHandlerPackage("dev.extsvc.runtime"));
    a.withAcme();
    InvocationResult r = a.submit(new TestHandler("Cy", APPROVED));
    a.services.unregister(ACME);

    CallbackResponse answer =
        b.receiver().handle(Callbacks.post(r.callbackUrls().get(APPROVED), APPROVED_BODY));

    assertThat(answer.status()).isEqualTo(404);
    assertThat(TestHandler.SEEN).isEmpty();
  }

  @Test
  void aHandlerTypeUsedOnlyOnAnotherNodeIsRefusedNamingTheSettingAndAllowedByIt() {
    ExternalServices unconfigured = node(n -> {});
    ExternalServices configured = node(n -> n.allowHandlerType(TestHandler.class.getName()));
    a.withAcme();
    InvocationResult r = a.submit(new TestHandler("Di", APPROVED));
    String url = r.callbackUrls().get(APPROVED);

    CallbackResponse refused = unconfigured.receiver().handle(Callbacks.post(url, APPROVED_BODY));

    assertThat(refused.status()).isEqualTo(500);
    assertThat(String.join("\n", a.messages(r.invocationId())))
        .contains(TestHandler.class.getName() + " is not allowed on this node")
        .contains("handlers.allowedTypes")
        .contains("handlers.allowedPackages");
    assertThat(TestHandler.SEEN).isEmpty();

    CallbackResponse handled = configured.receiver().handle(Callbacks.post(url, APPROVED_BODY));

    assertThat(handled.status()).isEqualTo(200);
    assertThat(TestHandler.SEEN).hasSize(1);
  }

  @Test
  void aHandlerTypeNameMustLookLikeAClassName() {
    assertThatThrownBy(() -> ExternalServices.builder().allowHandlerType("com.example.*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("com.example.*");
  }

  @Test
  void aNodeIdIsGeneratedUnlessGivenAndMustBeAPlainName() {
    ExternalServices named = node(n -> n.nodeId("node-a.1"));
    ExternalServices generated = node(n -> {});

    assertThat(named.nodeId()).isEqualTo("node-a.1");
    assertThat(generated.nodeId()).matches("[A-Za-z0-9_-]+-[0-9a-f]{6}");
    assertThat(a.services.nodeId()).isNotEqualTo(generated.nodeId());
    assertThatThrownBy(() -> ExternalServices.builder().nodeId("a b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodeId");
  }

  @Test
  void drainingTurnsReadinessOffAnswersNewCallbacks503AndLetsARunningHandlerFinish()
      throws Exception {
    a.withAcme();
    InvocationResult running = a.submit(new TestHandler("Ed", APPROVED));
    InvocationResult late = a.submit(new TestHandler("Flo", APPROVED));
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestHandler.during =
        () -> {
          inside.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    assertThat(a.services.ready()).isTrue();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<CallbackResponse> first = pool.submit(() -> a.approve(running));
      assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

      Future<?> drain = pool.submit(() -> a.services.drain(Duration.ofSeconds(10)));
      await().atMost(Duration.ofSeconds(5)).until(a.services::draining);

      assertThat(a.services.ready()).isFalse();
      CallbackResponse refused = a.approve(late);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.headers()).containsKey("Retry-After");
      assertThat(drain.isDone()).isFalse(); // waits for the running handler

      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      drain.get(10, TimeUnit.SECONDS);
    }
    assertThat(a.status(running.invocationId())).isEqualTo(InvocationStatus.COMPLETED);
    assertThat(a.status(late.invocationId())).isEqualTo(InvocationStatus.PENDING);
    assertThat(TestHandler.SEEN).extracting(s -> s.applicant()).containsExactly("Ed");
  }
}
