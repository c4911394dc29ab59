package dev.extsvc.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.runtime.testing.InMemoryStore;
import dev.extsvc.runtime.testing.SettableClock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MembershipTest {
  final InMemoryStore store = new InMemoryStore();
  final SettableClock clock = new SettableClock();

  Membership member(String id) {
    Membership m =
        new Membership(
            new Membership.Context(
                store, clock, id, "1.0", Duration.ofSeconds(2), Duration.ofSeconds(10), null));
    m.register();
    return m;
  }

  /** What runs before each call of one of the store's methods, as long as it likes. */
  interface Delay {
    void before() throws Exception;
  }

  /** The in-memory store, with {@code delay} before each call of the method named. */
  dev.extsvc.runtime.store.Store storeDelaying(String methodName, Delay delay) {
    return (dev.extsvc.runtime.store.Store)
        java.lang.reflect.Proxy.newProxyInstance(
            dev.extsvc.runtime.store.Store.class.getClassLoader(),
            new Class<?>[] {dev.extsvc.runtime.store.Store.class},
            (proxy, method, args) -> {
              if (method.getName().equals(methodName)) {
                delay.before();
              }
              try {
                return method.invoke(store, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void aNodeClosedWhileAHeartbeatIsUnderWayStaysDeregistered() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean hold =
        new java.util.concurrent.atomic.AtomicBoolean();
    // the heartbeat's statement is slow (a loaded database) while the node is told to stop
    dev.extsvc.runtime.store.Store slow =
        storeDelaying(
            "heartbeat",
            () -> {
              if (hold.get()) {
                entered.countDown();
                // a JDBC statement does not give way to an interrupt: neither does this one
                while (true) {
                  try {
                    release.await();
                    break;
                  } catch (InterruptedException ignored) {
                    // as the driver would, go on waiting for the answer
                  }
                }
              }
            });
    Membership a =
        new Membership(
            new Membership.Context(
                slow, clock, "node-a", "1.0", Duration.ofMillis(50), Duration.ofSeconds(10), null));
    a.register();
    a.start();
    hold.set(true);
    assertThat(entered.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    Thread closing = Thread.ofVirtual().start(a::close);
    Thread.sleep(200); // close waits for the heartbeat under way
    release.countDown();
    closing.join(Duration.ofSeconds(10));
    Thread.sleep(300); // a heartbeat going on after the removal would have registered it by now

    assertThat(closing.isAlive()).isFalse();
    assertThat(store.nodes()).as("deregistered, not registered again by the heartbeat").isEmpty();
  }

  @Test
  void closeDoesNotWaitForAStoreThatNoLongerAnswers() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean asked =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean stopping =
        new java.util.concurrent.atomic.AtomicBoolean();
    // the database is gone at shutdown: the pool would wait out its connection timeout (30 s)
    dev.extsvc.runtime.store.Store gone =
        storeDelaying(
            "removeNode",
            () -> {
              if (stopping.get()) {
                asked.set(true);
                release.await();
              }
            });
    Membership a =
        new Membership(
            new Membership.Context(
                gone, clock, "node-a", "1.0", Duration.ofSeconds(2), Duration.ofSeconds(10), null));
    a.register();
    a.deregisterPatience(Duration.ofMillis(300));
    stopping.set(true);

    Thread closing = Thread.ofVirtual().start(a::close);
    boolean closed = closing.join(Duration.ofSeconds(5));
    release.countDown();

    assertThat(asked).as("deregistering was tried").isTrue();
    assertThat(closed).as("close returned without the store's answer").isTrue();
  }

  @Test
  void aNodeSilentLongerThanTheTimeoutIsRemovedByAnotherAndItsLeasesReleased() {
    Membership a = member("node-a");
    Membership b = member("node-b");
    UUID invocation = pendingInvocation();
    var lease =
        store
            .claim(
                invocation,
                UUID.randomUUID(),
                "node-a",
                clock.instant(),
                clock.instant().plusSeconds(120))
            .orElseThrow();

    clock.advance(Duration.ofSeconds(9));
    assertThat(b.beat()).as("silent for 9 s: alive").isEmpty();
    clock.advance(Duration.ofSeconds(2));
    List<NodeRow> dead = b.beat();

    assertThat(dead).extracting(NodeRow::id).containsExactly("node-a");
    assertThat(store.nodes()).extracting(NodeRow::id).containsExactly("node-b");
    assertThat(store.renew(lease, clock.instant().plusSeconds(60))).isFalse();
    assertThat(a.nodeId()).isEqualTo("node-a");
  }

  @Test
  void theNodeThatRemovesADeadOneTellsItsListenerWithHowManyAreLeft() {
    member("node-a");
    member("node-c");
    Membership b = member("node-b");
    List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    b.onNodesRemoved(
        (removed, alive) -> removed.forEach(n -> told.add(n.id() + " alive=" + alive)));
    clock.advance(Duration.ofSeconds(11));
    b.beat();

    // told off the heartbeat's thread (counting the nodes left reads through the requests' pool)
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> told.size() == 2);
    assertThat(told).containsExactlyInAnyOrder("node-a alive=1", "node-c alive=1");
    told.clear();
    b.beat();
    assertThat(told).as("told once").isEmpty();
  }

  @Test
  void aNodeRestartedUnderItsIdReleasesTheLeasesItsPreviousProcessHeld() {
    member("node-a");
    UUID invocation = pendingInvocation();
    var lease =
        store
            .claim(
                invocation,
                UUID.randomUUID(),
                "node-a",
                clock.instant(),
                clock.instant().plusSeconds(120))
            .orElseThrow();

    member("node-a"); // the same id, a new process: nothing of the old one's runs survives

    assertThat(store.renew(lease, clock.instant().plusSeconds(60)))
        .as("the previous process's lease was released, its fence raised")
        .isFalse();
    assertThat(store.nodes()).extracting(NodeRow::id).containsExactly("node-a");
  }

  @Test
  void aNodeWhoseHeartbeatsStoppedForFourFifthsOfTheTimeoutDropsItsRunsBeforeItHeartbeatsAgain()
      throws InterruptedException {
    Membership a =
        new Membership(
            new Membership.Context(
                store,
                clock,
                "node-a",
                "1.0",
                Duration.ofMillis(50),
                Duration.ofMillis(250),
                null));
    a.register();
    List<String> dropped = new java.util.ArrayList<>();
    List<java.time.Instant> heartbeatWhenDropped = new java.util.ArrayList<>();
    a.liveness()
        .onLapse(
            reason -> {
              dropped.add(reason);
              heartbeatWhenDropped.add(store.nodes().get(0).heartbeatAt());
            });
    a.liveness().start();
    java.time.Instant before = store.nodes().get(0).heartbeatAt();
    assertThat(a.liveness().trusted()).isTrue();

    Thread.sleep(260); // as a process stopped (SIGSTOP): the monotonic clock goes on
    clock.advance(Duration.ofSeconds(1));
    assertThat(a.liveness().trusted()).as("200 ms (4/5 of 250) without a heartbeat").isFalse();
    a.beat();

    assertThat(dropped).singleElement().asString().contains("node-a", "taken the node for dead");
    assertThat(heartbeatWhenDropped)
        .as("the runs were dropped before the heartbeat was written")
        .containsExactly(before);
    assertThat(store.nodes().get(0).heartbeatAt()).isAfter(before);
    assertThat(a.liveness().trusted()).as("trusted again once a heartbeat went through").isTrue();
  }

  @Test
  void aNodeTakenForDeadRegistersAgainWithItsNextHeartbeat() {
    Membership a = member("node-a");
    Membership b = member("node-b");
    clock.advance(Duration.ofSeconds(11));
    b.beat();
    assertThat(store.nodes()).extracting(NodeRow::id).containsExactly("node-b");

    a.beat();

    assertThat(store.nodes()).extracting(NodeRow::id).containsExactly("node-a", "node-b");
  }

  @Test
  void aNodeNeverRemovesItselfAndDeregistersWhenClosed() {
    Membership a = member("node-a");
    clock.advance(Duration.ofHours(1));
    assertThat(a.beat()).isEmpty();
    assertThat(store.nodes()).extracting(NodeRow::id).containsExactly("node-a");

    a.close();

    assertThat(store.nodes()).isEmpty();
  }

  @Test
  void aGeneratedNodeIdIsTheHostNameAndARandomSuffix() {
    String one = Membership.generatedNodeId();
    String two = Membership.generatedNodeId();

    assertThat(one).matches(".+-[0-9a-f]{6}").isNotEqualTo(two);
  }

  private UUID pendingInvocation() {
    UUID id = UUID.randomUUID();
    store.createInvocation(
        new InvocationRow(
            id,
            "acme",
            "submit",
            true,
            InvocationStatus.PENDING,
            null,
            null,
            null,
            "{}",
            null,
            null,
            null,
            clock.instant(),
            clock.instant().plusSeconds(3600),
            null),
        List.of(),
        List.of());
    return id;
  }
}
