package dev.extsvc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.store.CallbackOutcome;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NewEvent;
import dev.extsvc.store.jdbc.JdbcStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness refuses a run that lost or doubled a callback, from counts and from a real store. */
class DeliveryCheckTest {
  @TempDir Path dir;

  static StoreTally tally(long completed, long handled, long doubled) {
    return new StoreTally(Map.of("COMPLETED", completed), Map.of("HANDLED", handled), doubled, 0);
  }

  @Test
  void aRunThatDeliveredEachCallbackOnceHasNoProblems() {
    assertThat(new DeliveryCheck(3, 3, 3, tally(3, 3, 0)).problems()).isEmpty();
  }

  @Test
  void oneCallbackMissingAndOneDoubledFailLoudlyNamingBoth() {
    // Three sent: the first stored once, the second stored twice (handler ran twice), the third
    // lost.
    var check =
        new DeliveryCheck(
            3,
            3,
            3,
            new StoreTally(Map.of("COMPLETED", 2L, "PENDING", 1L), Map.of("HANDLED", 3L), 1, 0));

    assertThat(check.problems())
        .anySatisfy(p -> assertThat(p).contains("more than one callback row"))
        .anySatisfy(p -> assertThat(p).contains("2 invocations COMPLETED, expected 3"));
    assertThatThrownBy(() -> check.verify("SQLite"))
        .isInstanceOf(DeliveryCheck.DeliveryFailure.class)
        .hasMessageContaining("SQLite: callbacks lost or doubled")
        .hasMessageContaining("more than one callback row")
        .hasMessageContaining("COMPLETED, expected 3");
  }

  @Test
  void answersThatWereNot2xxOrAHandlerThatRanTwiceFail() {
    assertThat(new DeliveryCheck(3, 2, 3, tally(3, 3, 0)).problems())
        .singleElement()
        .asString()
        .contains("2 of 3 callbacks were answered 2xx");
    assertThat(new DeliveryCheck(3, 3, 4, tally(3, 3, 0)).problems())
        .singleElement()
        .asString()
        .contains("the handler ran 4 times for 3 callbacks");
  }

  @Test
  void theTallyOfARealStoreWithOneCallbackMissingAndOneDoubledFailsTheCheck() throws Exception {
    Path file = dir.resolve("check.db");
    Instant now = Instant.parse("2026-06-01T10:00:00Z");
    UUID once = UUID.randomUUID();
    UUID twice = UUID.randomUUID();
    UUID lost = UUID.randomUUID();
    try (JdbcStore store = JdbcStore.sqlite(file)) {
      for (UUID id : List.of(once, twice, lost)) {
        store.createInvocation(invocation(id, now), List.of(), List.of());
      }
      handle(store, once, "a", now);
      // A store that failed to deduplicate: the same callback under two dedup keys, handled twice.
      handle(store, twice, "b", now);
      handle(store, twice, "c", now);
    }

    StoreTally tally;
    try (Connection c =
        new Databases.Fresh(StoreKind.SQLITE, "jdbc:sqlite:" + file, file).connect()) {
      tally = StoreTally.read(c);
    }

    assertThat(tally.invocations("COMPLETED")).isEqualTo(2);
    assertThat(tally.invocations("PENDING")).isEqualTo(1);
    assertThat(tally.invocationsWithSeveralCallbacks()).isEqualTo(1);
    assertThatThrownBy(() -> new DeliveryCheck(3, 3, 3, tally).verify("SQLite"))
        .isInstanceOf(DeliveryCheck.DeliveryFailure.class)
        .hasMessageContaining("more than one callback row")
        .hasMessageContaining("2 invocations COMPLETED, expected 3");
  }

  private static InvocationRow invocation(UUID id, Instant now) {
    return new InvocationRow(
        id,
        "Acme Mortgages",
        "SubmitApplication",
        true,
        InvocationStatus.PENDING,
        null,
        null,
        null,
        "{}",
        null,
        null,
        null,
        now,
        now.plusSeconds(3600),
        null);
  }

  private static void handle(JdbcStore store, UUID invocation, String dedupKey, Instant now) {
    UUID callback = UUID.randomUUID();
    store.insertCallback(
        new CallbackRow(
            callback,
            invocation,
            "approved",
            now,
            "POST",
            "{}",
            "{}",
            dedupKey,
            CallbackOutcome.RECEIVED,
            null,
            0,
            null),
        new NewEvent(invocation, now, EventKind.CALLBACK_RECEIVED, "received"));
    var lease = store.claim(invocation, callback, "node-a", now, now.plusSeconds(60));
    if (lease.isEmpty()) { // completed already: the doubled delivery the check must catch
      store.updateCallback(
          callback,
          CallbackOutcome.HANDLED,
          200,
          null,
          new NewEvent(invocation, now, EventKind.HANDLER_OK, "handled again"));
      return;
    }
    store.completeWithCallback(
        lease.get(), now, List.of(new NewEvent(invocation, now, EventKind.COMPLETED, "done")));
  }
}
