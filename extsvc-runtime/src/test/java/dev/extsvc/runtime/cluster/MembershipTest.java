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
    List<String> told = new java.util.ArrayList<>();
    b.onNodesRemoved(
        (removed, alive) -> removed.forEach(n -> told.add(n.id() + " alive=" + alive)));
    clock.advance(Duration.ofSeconds(11));
    b.beat();

    assertThat(told).containsExactlyInAnyOrder("node-a alive=1", "node-c alive=1");
    told.clear();
    b.beat();
    assertThat(told).as("told once").isEmpty();
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
