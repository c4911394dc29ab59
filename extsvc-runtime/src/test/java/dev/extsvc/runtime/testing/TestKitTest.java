package dev.extsvc.runtime.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.ServiceRow;
import dev.extsvc.runtime.store.StoreUnavailableException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The kit's own promises beyond the store contract (which {@code InMemoryStoreContractTest} in
 * extsvc-store-jdbc checks): the clock's moves, the store's failure switches and reopening, the
 * loopback service, the request helper.
 */
class TestKitTest {
  static InvocationRow pending(Instant at) {
    return new InvocationRow(
        new UUID(at.toEpochMilli() << 16 | 0x7000L, 0x8000_0000_0000_0001L),
        "acme",
        "op",
        true,
        InvocationStatus.PENDING,
        null,
        null,
        null,
        "{}",
        null,
        null,
        null,
        at,
        at.plusSeconds(60),
        null);
  }

  @Test
  void theClockStartsAtAFixedInstantAndMovesOnlyWhenTold() {
    SettableClock clock = new SettableClock();

    assertThat(clock.instant()).isEqualTo(SettableClock.START).isEqualTo(clock.instant());
    assertThat(clock.advance(Duration.ofMinutes(3)))
        .isEqualTo(SettableClock.START.plusSeconds(180));
    clock.set(Instant.EPOCH);
    assertThat(clock.instant()).isEqualTo(Instant.EPOCH);
    assertThat(clock.millis()).isZero();
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theClockLosesNoAdvanceWhenManyThreadsMoveIt() throws Exception {
    SettableClock clock = new SettableClock(Instant.EPOCH);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> moves = new java.util.ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        moves.add(pool.submit(() -> clock.advance(Duration.ofMillis(1))));
      }
      for (Future<?> move : moves) {
        move.get();
      }
    }
    assertThat(clock.instant()).isEqualTo(Instant.EPOCH.plusSeconds(1));
  }

  @Test
  void anUnavailableStoreRefusesEveryCallUntilItIsBack() {
    InMemoryStore store = new InMemoryStore();
    store.createInvocation(pending(SettableClock.START), List.of(), List.of());

    store.unavailable(true);

    assertThat(store.healthy()).isFalse();
    assertThatThrownBy(store::services).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> store.saveService(new ServiceRow("a", "1", "{}", Instant.EPOCH)))
        .isInstanceOf(StoreUnavailableException.class);
    store.unavailable(false);
    assertThat(store.healthy()).isTrue();
    assertThat(store.countByStatus()).containsEntry(InvocationStatus.PENDING, 1L);
  }

  @Test
  void aReadOnlyStoreReadsButRefusesWrites() {
    InMemoryStore store = new InMemoryStore();
    InvocationRow row = pending(SettableClock.START);
    store.createInvocation(row, List.of(), List.of());

    store.readOnly(true);

    assertThat(store.invocation(row.id())).isPresent();
    assertThatThrownBy(() -> store.timeOutDue(SettableClock.START.plusSeconds(120), 10))
        .isInstanceOf(StoreUnavailableException.class);
    store.readOnly(false);
    assertThat(store.timeOutDue(SettableClock.START.plusSeconds(120), 10)).hasSize(1);
  }

  @Test
  void aReopenedStoreSeesTheDataAndTheSwitchesButNotTheClosing() {
    InMemoryStore first = new InMemoryStore();
    InvocationRow row = pending(SettableClock.START);
    first.createInvocation(row, List.of(), List.of());
    first.close();

    InMemoryStore second = first.reopen();

    assertThat(second.invocation(row.id())).isPresent();
    assertThatThrownBy(first::services).isInstanceOf(IllegalStateException.class);
    second.unavailable(true);
    assertThat(first.reopen().healthy()).isFalse();
  }

  @Test
  void theStoreKeepsMicrosecondsAsTheDatabasesDo() {
    InMemoryStore store = new InMemoryStore();
    InvocationRow row = pending(Instant.parse("2026-03-01T10:00:00.123456789Z"));

    store.createInvocation(row, List.of(), List.of());

    assertThat(store.invocation(row.id()).orElseThrow().submitTime())
        .isEqualTo(Instant.parse("2026-03-01T10:00:00.123456Z"));
  }

  @Test
  void theStoreCountsTheCallsItGets() {
    InMemoryStore store = new InMemoryStore();
    int before = store.calls();

    store.services();
    store.countByStatus();

    assertThat(store.calls()).isEqualTo(before + 2);
  }

  @Test
  void theLoopbackServiceAnswersAsToldAndRecordsRequests() throws Exception {
    try (LoopbackService service = new LoopbackService()) {
      service.answer(
          new LoopbackService.Answer(418, "{\"tea\":true}", java.util.Map.of("X-Pot", "1")));
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(service.url() + "/brew?x=1"))
                      .header("X-Who", "me")
                      .POST(HttpRequest.BodyPublishers.ofString("{\"cups\":2}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(service.url()).startsWith("http://127.0.0.1:");
      assertThat(answer.statusCode()).isEqualTo(418);
      assertThat(answer.body()).isEqualTo("{\"tea\":true}");
      assertThat(answer.headers().firstValue("X-Pot")).hasValue("1");
      LoopbackService.Request seen = service.onlyRequest();
      assertThat(seen.method()).isEqualTo("POST");
      assertThat(seen.uri().toString()).isEqualTo("/brew?x=1");
      assertThat(seen.header("x-who")).isEqualTo("me");
      assertThat(seen.body()).isEqualTo("{\"cups\":2}");
    }
  }

  @Test
  void aCallbackUrlBecomesTheRequestAServerWouldPassTheReceiver() {
    CallbackRequest plain =
        Callbacks.post("https://h.example/callbacks/TOKEN/events?v=1", "{\"a\":1}");
    CallbackRequest custom =
        Callbacks.to("PUT", "https://h.example/base/hooks/x/TOKEN", "/hooks/x")
            .header("Idempotency-Key", "k1")
            .from("10.1.2.3")
            .build();

    assertThat(plain.method()).isEqualTo("POST");
    assertThat(plain.path()).isEqualTo("TOKEN/events?v=1");
    assertThat(plain.header("content-type")).isEqualTo("application/json");
    assertThat(new String(plain.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(plain.remoteAddress()).isEqualTo(Callbacks.SENDER);
    assertThat(custom.path()).isEqualTo("TOKEN");
    assertThat(custom.body()).isEmpty();
    assertThat(custom.header("Idempotency-Key")).isEqualTo("k1");
    assertThat(custom.remoteAddress()).isEqualTo("10.1.2.3");
    assertThat(Callbacks.to("POST", "https://h.example/callbacks/T").tooLarge().build().body())
        .isNull();
    assertThatThrownBy(() -> Callbacks.to("POST", "https://h.example/elsewhere/T"))
        .hasMessageContaining("not under /callbacks");
  }
}
