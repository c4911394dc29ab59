package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients: a request whose headers stall past the header timeout, or whose body comes slower
 * than the minimum rate, is closed; a kept-alive connection without a next request too; a slow but
 * steady sender is served; and a thousand stalled connections do not stop a real callback from
 * being answered (each has its own virtual thread).
 */
class SlowClientTest {
  static final int SLOW = Integer.getInteger("slow.clients", 1000);

  @TempDir Path dir;
  Fixture f;
  final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void reset() {
    RecordingHandler.reset();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (f != null) {
      f.close();
    }
  }

  void start(Consumer<ExtsvcServer.Builder> server) {
    f = new Fixture(dir, b -> {}, server).withAcme();
  }

  InvocationResult submit() {
    return f.services.invoke(
        Fixture.ACME,
        "SubmitApplication",
        RequestParts.fromJson(Json.readTrusted("{\"body\":{}}")),
        new RecordingHandler("Sam", CallbackLoopTest.APPROVED),
        null);
  }

  Socket open(String text) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), f.server.port());
    sockets.add(s);
    if (!text.isEmpty()) {
      s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }
    return s;
  }

  /**
   * Milliseconds until the server closes the connection (EOF or reset), reading and dropping any
   * answer.
   */
  static long millisUntilClosed(Socket s, long startedNanos) throws IOException {
    s.setSoTimeout(15_000);
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // an answer before the close is fine; the close is what counts
      }
    } catch (SocketTimeoutException e) {
      return Long.MAX_VALUE;
    } catch (SocketException e) {
      // reset: closed too
    }
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  /** The first line of the answer. */
  static String statusLine(Socket s) throws IOException {
    s.setSoTimeout(20_000);
    StringBuilder line = new StringBuilder();
    InputStream in = s.getInputStream();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString().strip();
  }

  static String path(String url) {
    return URI.create(url).getRawPath();
  }

  @Test
  void stalledHeadersAStalledBodyAndAnIdleKeptAliveConnectionAreClosedAfterTheirDeadlines()
      throws Exception {
    start(
        s ->
            s.headerTimeout(Duration.ofSeconds(1))
                .minBodyRate(1000, Duration.ofSeconds(1))
                .idleTimeout(Duration.ofSeconds(2)));
    String url = submit().callbackUrls().get(CallbackLoopTest.APPROVED);
    long t0 = System.nanoTime();
    Socket headers = open("POST " + path(url) + " HTTP/1.1\r\nHost: x\r\nContent-Type: appl");
    Socket body =
        open(
            "POST "
                + path(url)
                + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                + "Content-Type: application/json\r\n\r\n{\"a\":");
    Socket keptAlive = open("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(statusLine(keptAlive)).startsWith("HTTP/1.1 200");

    assertThat(millisUntilClosed(headers, t0)).isBetween(900L, 6_000L);
    assertThat(millisUntilClosed(body, t0)).isBetween(900L, 8_000L);
    // Helidon's idle clock ticks once a second, so its 2 s may end up to a second early.
    assertThat(millisUntilClosed(keptAlive, t0)).isBetween(900L, 10_000L);
    assertThat(f.server.slowClientsClosed()).containsExactly(1L, 1L);
    assertThat(RecordingHandler.SEEN).isEmpty();
  }

  @Test
  void aSlowButSteadySenderAboveTheMinimumRateIsServed() throws Exception {
    start(s -> s.headerTimeout(Duration.ofSeconds(2)).minBodyRate(1000, Duration.ofSeconds(1)));
    String url = submit().callbackUrls().get(CallbackLoopTest.APPROVED);
    // 3,000 bytes at about 2,000 bytes/s: the callback body, padded with spaces JSON allows.
    byte[] bodyBytes =
        (CallbackLoopTest.APPROVED_BODY
                + " ".repeat(3000 - CallbackLoopTest.APPROVED_BODY.length()))
            .getBytes(StandardCharsets.US_ASCII);
    Socket s =
        open(
            "POST "
                + path(url)
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + bodyBytes.length
                + "\r\nConnection: close\r\n\r\n");
    OutputStream out = s.getOutputStream();
    for (int off = 0; off < bodyBytes.length; off += 200) {
      Thread.sleep(100);
      out.write(bodyBytes, off, Math.min(200, bodyBytes.length - off));
      out.flush();
    }

    assertThat(statusLine(s)).startsWith("HTTP/1.1 200");
    assertThat(RecordingHandler.SEEN).hasSize(1);
    assertThat(f.server.slowClientsClosed()).containsExactly(0L, 0L);
  }

  @Test
  void aThousandStalledConnectionsDoNotStopARealCallback() throws Exception {
    start(s -> {}); // the default deadlines (10 s for headers) keep the stalled connections open
    // during the test
    InvocationResult r = submit();
    for (int i = 0; i < SLOW; i++) {
      // Half a request: headers never finished, or a body that never comes.
      open(
          i % 2 == 0
              ? "POST /callbacks/" + "A".repeat(43) + " HTTP/1.1\r\nHost: x\r\nContent-Type: appl"
              : "POST /callbacks/"
                  + "A".repeat(43)
                  + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                  + "Content-Type: application/json\r\n\r\n{\"a\":");
    }

    // The client's own timeout (20 s in the fixture) fails this test if the stalled connections
    // held the server.
    var answer =
        f.postJson(r.callbackUrls().get(CallbackLoopTest.APPROVED), CallbackLoopTest.APPROVED_BODY);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(RecordingHandler.SEEN).hasSize(1);
  }
}
