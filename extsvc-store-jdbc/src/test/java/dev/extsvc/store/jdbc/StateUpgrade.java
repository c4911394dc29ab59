package dev.extsvc.store.jdbc;

import static dev.extsvc.store.jdbc.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Store;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

/**
 * A store left at the migration before 21 (20 on SQLite, 19 on PostgreSQL), whose invocation rows
 * held their status, deadline and lease, for the tests that V21 moves them into {@code
 * extsvc_invocation_state} intact.
 */
final class StateUpgrade {
  private StateUpgrade() {}

  static final Instant DEADLINE = T0.plus(Duration.ofDays(1));
  static final Instant FINISHED = T0.plusSeconds(90);
  static final Instant CLAIMED_UNTIL = T0.plusSeconds(30);

  /** The two invocations written before V21: one PENDING and leased, one TIMED_OUT. */
  record Written(UUID pending, UUID timedOut, UUID claim) {}

  static Written beforeV21(
      String url, @Nullable String user, @Nullable String password, String folder, String target)
      throws SQLException {
    Flyway.configure(StateUpgrade.class.getClassLoader())
        .dataSource(url, user, password)
        .locations("classpath:" + folder)
        .table(Migrations.HISTORY_TABLE)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target(target)
        .load()
        .migrate();
    var written =
        new Written(Fixtures.uuid7At(T0), Fixtures.uuid7At(T0.plusMillis(1)), UUID.randomUUID());
    boolean sqlite = url.startsWith("jdbc:sqlite:");
    try (var c = DriverManager.getConnection(url, user, password);
        var insert =
            c.prepareStatement(
                "INSERT INTO extsvc_invocations (id, service, operation, async, status, reason,"
                    + " request, submit_time, deadline, finished_at, claim_id, claim_until,"
                    + " claim_fence, claim_node) VALUES (?, 'acme', 'submit', ?, ?, ?, '{}', ?,"
                    + " ?, ?, ?, ?, ?, ?)")) {
      Object async = sqlite ? (Object) 1 : (Object) true;
      Object[][] rows = {
        {
          written.pending(),
          "PENDING",
          null,
          null,
          written.claim(),
          Fixtures.micros(CLAIMED_UNTIL),
          3L,
          "node-a"
        },
        {
          written.timedOut(),
          "TIMED_OUT",
          "no callback in time",
          Fixtures.micros(FINISHED),
          null,
          null,
          1L,
          null
        }
      };
      for (Object[] row : rows) {
        insert.setObject(1, key(row[0], sqlite));
        insert.setObject(2, async);
        insert.setString(3, (String) row[1]);
        insert.setObject(4, row[2]);
        insert.setLong(5, Fixtures.micros(T0));
        insert.setLong(6, Fixtures.micros(DEADLINE));
        insert.setObject(7, row[3]);
        insert.setObject(8, row[4] == null ? null : key(row[4], sqlite));
        insert.setObject(9, row[5]);
        insert.setLong(10, (Long) row[6]);
        insert.setObject(11, row[7]);
        insert.executeUpdate();
      }
    }
    return written;
  }

  /**
   * The upgraded store reads each invocation's state as written, lists them by status, still sees
   * the lease (the sweeper skips it, its node holds it) and raises the fence carried over.
   */
  static void assertStateKept(Store store, Written written) {
    InvocationRow pending = store.invocation(written.pending()).orElseThrow();
    assertThat(pending.status()).isEqualTo(InvocationStatus.PENDING);
    assertThat(pending.deadline()).isEqualTo(DEADLINE);
    assertThat(pending.finishedAt()).isNull();
    InvocationRow timedOut = store.invocation(written.timedOut()).orElseThrow();
    assertThat(timedOut.status()).isEqualTo(InvocationStatus.TIMED_OUT);
    assertThat(timedOut.reason()).isEqualTo("no callback in time");
    assertThat(timedOut.finishedAt()).isEqualTo(FINISHED);
    assertThat(
            store
                .invocations(InvocationQuery.all(10).withStatus(InvocationStatus.TIMED_OUT))
                .stream()
                .map(InvocationRow::id))
        .containsExactly(written.timedOut());
    assertThat(store.leases(10))
        .singleElement()
        .satisfies(
            lease -> {
              assertThat(lease.nodeId()).isEqualTo("node-a");
              assertThat(lease.invocationId()).isEqualTo(written.pending());
              assertThat(lease.callbackId()).isEqualTo(written.claim());
            });
    // held until CLAIMED_UNTIL, then free to claim, with the fence raised from the one written
    assertThat(store.claim(written.pending(), UUID.randomUUID(), "node-b", T0, T0.plusSeconds(60)))
        .isEmpty();
    Instant farAhead = DEADLINE.plus(Duration.ofDays(2));
    var lease =
        store.claim(written.pending(), UUID.randomUUID(), "node-b", CLAIMED_UNTIL, farAhead);
    assertThat(lease).isPresent();
    assertThat(lease.get().fence()).isEqualTo(4);
    assertThat(store.countByStatus())
        .containsEntry(InvocationStatus.PENDING, 1L)
        .containsEntry(InvocationStatus.TIMED_OUT, 1L);
    // past its deadline but leased: the sweeper leaves it; once released, it times it out
    Instant late = DEADLINE.plus(Duration.ofDays(1));
    assertThat(store.timeOutDue(late, 10)).isEmpty();
    store.release(lease.get());
    assertThat(store.timeOutDue(late, 10))
        .extracting(InvocationRow::id, InvocationRow::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(written.pending(), InvocationStatus.TIMED_OUT));
  }

  private static Object key(Object id, boolean sqlite) {
    return sqlite ? id.toString() : id;
  }
}
