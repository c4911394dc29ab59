package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad callbacks get a clear 4xx and change nothing but the debug log. */
class BadCallbackTest {
  @TempDir Path dir;
  Fixture f;
  UUID id;
  String approvedUrl;
  int eventsBefore;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f = new Fixture(dir).withAcme();
    InvocationResult r =
        f.services.invoke(
            Fixture.ACME,
            "SubmitApplication",
            RequestParts.fromJson(
                Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Eve\"}}}")),
            new RecordingHandler("Eve", CallbackLoopTest.APPROVED),
            null);
    id = r.invocationId();
    approvedUrl = r.callbackUrls().get(CallbackLoopTest.APPROVED);
    eventsBefore = f.services.events(id).size();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  void assertNothingChangedButTheLog() {
    assertThat(f.services.invocation(id).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(id)).isEmpty();
    assertThat(RecordingHandler.SEEN).isEmpty();
    assertThat(f.services.events(id))
        .hasSize(eventsBefore + 1)
        .last()
        .satisfies(e -> assertThat(e.kind()).isEqualTo(EventKind.CALLBACK_REJECTED));
  }

  @Test
  void malformedJsonIsAnswered400WithLineAndColumn() {
    HttpResponse<String> r =
        f.postJson(approvedUrl, "{\"applicationNumber\": \"A\",\n \"status\": }");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Malformed JSON at line 2, column");
    assertNothingChangedButTheLog();
  }

  @Test
  void aBodyThatBreaksTheSchemaIsAnswered400SayingWhere() {
    HttpResponse<String> r =
        f.postJson(approvedUrl, "{\"applicationNumber\":\"A\",\"approvedAmount\":\"lots\"}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("status").contains("/approvedAmount");
    assertNothingChangedButTheLog();
  }

  @Test
  void duplicateKeysAreMalformed() {
    HttpResponse<String> r =
        f.postJson(approvedUrl, "{\"status\":\"a\",\"status\":\"b\",\"applicationNumber\":\"A\"}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Duplicate field");
    assertNothingChangedButTheLog();
  }

  @Test
  void aWrongMethodIsAnswered405() {
    HttpResponse<String> r = f.send("DELETE", approvedUrl, null, null);

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("POST, PUT");
    assertNothingChangedButTheLog();
  }

  @Test
  void aMethodTheCallbackDoesNotDeclareIsAnswered405() {
    HttpResponse<String> r =
        f.send("PUT", approvedUrl, "application/json", CallbackLoopTest.APPROVED_BODY);

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    assertNothingChangedButTheLog();
  }

  @Test
  void aWrongContentTypeIsAnswered415() {
    HttpResponse<String> r =
        f.send("POST", approvedUrl, "text/plain", CallbackLoopTest.APPROVED_BODY);

    assertThat(r.statusCode()).isEqualTo(415);
    assertNothingChangedButTheLog();
  }

  @Test
  void aBodyOverTheLimitIsAnswered413() throws Exception {
    String big = "{\"applicationNumber\":\"" + "x".repeat(1024 * 1024) + "\",\"status\":\"a\"}";

    // Refused from its Content-Length before the body is read. A sender that writes the body
    // without waiting may see the connection close under it instead of the answer; one that asks
    // (Expect: 100-continue) always gets the 413, and nothing of the body is sent.
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(approvedUrl))
            .header("Content-Type", "application/json")
            .expectContinue(true)
            .POST(HttpRequest.BodyPublishers.ofString(big))
            .build();

    HttpResponse<String> r = f.http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(413);
    assertNothingChangedButTheLog();
  }

  @Test
  void aChunkedBodyOverTheLimitIsAnswered413() throws Exception {
    byte[] chunk = "x".repeat(64 * 1024).getBytes();
    // A stream of unknown length makes the client send it chunked.
    InputStream endless =
        new InputStream() {
          int sent;

          @Override
          public int read() {
            return sent++ < 2 * 1024 * 1024 ? 'x' : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (sent >= 2 * 1024 * 1024) {
              return -1;
            }
            int n = Math.min(len, chunk.length);
            System.arraycopy(chunk, 0, b, off, n);
            sent += n;
            return n;
          }
        };
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(approvedUrl))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> endless))
            .build();

    HttpResponse<String> r;
    try {
      r = f.http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      // The server may close the connection while the client is still sending; it must have
      // answered 413 first.
      r = null;
    }

    if (r != null) {
      assertThat(r.statusCode()).isEqualTo(413);
    }
    assertNothingChangedButTheLog();
  }

  @Test
  void absurdNestingIsAnswered400WithoutAStackOverflow() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);

    HttpResponse<String> r = f.postJson(approvedUrl, deep);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).containsIgnoringCase("nesting depth");
    assertNothingChangedButTheLog();
  }

  @Test
  void anAbsurdNumberIsAnswered400() {
    String number =
        "{\"applicationNumber\":\"A\",\"status\":\"a\",\"approvedAmount\":1"
            + "0".repeat(5000)
            + "}";

    HttpResponse<String> r = f.postJson(approvedUrl, number);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).containsIgnoringCase("number");
    assertNothingChangedButTheLog();
  }

  @Test
  void invalidUtf8IsAnswered400() throws Exception {
    byte[] bytes = {'{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(approvedUrl))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();

    HttpResponse<String> r = f.http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(400);
    assertNothingChangedButTheLog();
  }
}
