package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.Dialect;
import dev.extsvc.store.jdbc.JdbcStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same loop on PostgreSQL: a callback reaches its handler, also after a restart on the same
 * database.
 */
class PostgresLoopTest {
  static EmbeddedPostgres postgres;

  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @BeforeEach
  void reset() {
    RecordingHandler.reset();
  }

  JdbcStore store() {
    return JdbcStore.create(postgres.getPostgresDatabase(), Dialect.POSTGRESQL);
  }

  @Test
  void aCallbackReachesItsHandlerAcrossARestart() {
    String url;
    java.util.UUID id;
    try (Fixture before = new Fixture(dir, store(), b -> {}).withAcme()) {
      InvocationResult r =
          before.services.invoke(
              Fixture.ACME,
              "SubmitApplication",
              RequestParts.fromJson(
                  Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Ivy\"}}}")),
              new RecordingHandler("Ivy", CallbackLoopTest.APPROVED),
              null);
      url = r.callbackUrls().get(CallbackLoopTest.APPROVED);
      id = r.invocationId();
      assertThat(
              before.postJson(r.callbackUrls().get(CallbackLoopTest.REJECTED), "{}").statusCode())
          .isEqualTo(404);
    }
    try (Fixture after = new Fixture(dir.resolve("after"), store(), b -> {})) {
      String moved =
          url.replaceFirst("http://127.0.0.1:\\d+", "http://127.0.0.1:" + after.server.port());

      assertThat(after.postJson(moved, CallbackLoopTest.APPROVED_BODY).statusCode()).isEqualTo(200);
      assertThat(after.postJson(moved, CallbackLoopTest.APPROVED_BODY).statusCode()).isEqualTo(200);

      assertThat(RecordingHandler.SEEN)
          .singleElement()
          .satisfies(s -> assertThat(s.applicant()).isEqualTo("Ivy"));
      assertThat(after.services.invocation(id).orElseThrow().status())
          .isEqualTo(InvocationStatus.COMPLETED);
    }
  }
}
