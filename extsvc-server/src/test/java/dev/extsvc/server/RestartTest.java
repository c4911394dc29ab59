package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A callback after a restart reaches a re-created handler that still has its state. */
class RestartTest {
  @TempDir Path dir;

  @BeforeEach
  void reset() {
    RecordingHandler.reset();
  }

  @Test
  void aCallbackAfterARestartReachesAReCreatedHandlerWithItsState() {
    String url;
    try (Fixture before = new Fixture(dir).withAcme()) {
      InvocationResult r =
          before.services.invoke(
              Fixture.ACME,
              "SubmitApplication",
              RequestParts.fromJson(
                  Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Frank\"}}}")),
              new RecordingHandler("Frank", CallbackLoopTest.APPROVED),
              null);
      url = r.callbackUrls().get(CallbackLoopTest.APPROVED);
    }
    // A new process: nothing registered in code, the service and the invocation come from the
    // database file.
    try (Fixture after = new Fixture(dir)) {
      String sameUrlOnNewServer =
          url.replaceFirst("http://127.0.0.1:\\d+", "http://127.0.0.1:" + after.server.port());

      var answer = after.postJson(sameUrlOnNewServer, CallbackLoopTest.APPROVED_BODY);

      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(RecordingHandler.SEEN)
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.applicant()).isEqualTo("Frank");
                assertThat(s.key()).isEqualTo(CallbackLoopTest.APPROVED);
              });
      assertThat(after.store.invocations(InvocationQuery.all(10)).get(0).status())
          .isEqualTo(InvocationStatus.COMPLETED);
    }
  }
}
