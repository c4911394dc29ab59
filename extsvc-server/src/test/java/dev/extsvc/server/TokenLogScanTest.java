package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Twenty callbacks with a real token whose bodies come too slowly are each answered 408, and in
 * everything every logger says meanwhile, at every level, the token never appears: the callback
 * path shows as {@code /callbacks/***}.
 */
class TokenLogScanTest {
  static final int SLOW_BODIES = 20;

  @TempDir Path dir;
  Fixture f;

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void twentySlowBodiesWithARealTokenAreAnswered408AndNoLogLineHoldsTheToken() throws Exception {
    RecordingHandler.reset();
    f = new Fixture(dir, b -> {}, s -> s.minBodyRate(1000, Duration.ofMillis(500))).withAcme();
    InvocationResult r =
        f.services.invoke(
            Fixture.ACME,
            "SubmitApplication",
            RequestParts.fromJson(Json.readTrusted("{\"body\":{}}")),
            new RecordingHandler("Sam", CallbackLoopTest.APPROVED),
            null);
    String url = r.callbackUrls().get(CallbackLoopTest.APPROVED);
    String path = URI.create(url).getRawPath();
    String token = path.substring("/callbacks/".length());
    List<String> statusLines = new ArrayList<>();

    try (LogCapture log = new LogCapture();
        ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < SLOW_BODIES; i++) {
        answers.add(senders.submit(slowBody(path)));
      }
      for (Future<String> a : answers) {
        statusLines.add(a.get());
      }
      // the same URL said by us, by a JDK logger and in an exception: all masked too
      LoggerFactory.getLogger("test.ours").warn("Callback to {} failed", url);
      java.util.logging.Logger.getLogger("test.jul").severe("JUL says " + url);
      LoggerFactory.getLogger("test.ours")
          .error(
              "With a cause", new IllegalStateException("bad " + path, new RuntimeException(url)));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> f.server.slowClientsClosed()[1] >= SLOW_BODIES);
      Thread.sleep(500); // what Helidon logs as the connections end

      String all = log.text();
      assertThat(log.events()).isGreaterThan(SLOW_BODIES); // the capture did see Helidon's lines
      assertThat(all).contains("/callbacks/***");
      assertThat(all).doesNotContain(token).doesNotContain(token.substring(0, 16));
      assertThat(all).contains("JUL says http://127.0.0.1:").contains("bad /callbacks/***");
    }

    assertThat(statusLines)
        .hasSize(SLOW_BODIES)
        .allSatisfy(s -> assertThat(s).startsWith("HTTP/1.1 408"));
    assertThat(f.server.slowClientsClosed()[1]).isEqualTo(SLOW_BODIES);
    assertThat(f.services.invocation(r.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(r.invocationId())).isEmpty();
    assertThat(RecordingHandler.SEEN).isEmpty();
  }

  /** Sends headers and a few body bytes, then nothing; returns the status line of the answer. */
  Callable<String> slowBody(String path) {
    return () -> {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.server.port())) {
        s.setSoTimeout(15_000);
        s.getOutputStream()
            .write(
                ("POST "
                        + path
                        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"a\":")
                    .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        StringBuilder line = new StringBuilder();
        InputStream in = s.getInputStream();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
          line.append((char) c);
        }
        return line.toString().strip();
      }
    };
  }
}
