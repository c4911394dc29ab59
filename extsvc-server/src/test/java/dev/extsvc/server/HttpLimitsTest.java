package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Over-long request lines get 414 and too many or too large headers 431, whatever their length,
 * over raw sockets; the limits are the server's to set.
 */
class HttpLimitsTest {
  @TempDir Path dir;
  Fixture f;

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  void start(Consumer<ExtsvcServer.Builder> server) {
    f = new Fixture(dir, b -> {}, server);
  }

  /**
   * Sends {@code request} from another thread (the server may answer and close before it is all
   * written) and returns the whole answer the server sent before closing.
   */
  String exchange(String request) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.server.port())) {
      s.setSoTimeout(20_000);
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                      s.getOutputStream().flush();
                    } catch (IOException e) {
                      // the server closed while we were sending: its answer is what counts
                    }
                  });
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          answer.write(buf, 0, n);
          if (complete(answer.toString(StandardCharsets.ISO_8859_1))) {
            break;
          }
        }
      } catch (SocketException e) {
        // reset after the answer: what was read stands
      }
      writer.join(20_000);
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** An answer whose headers and Content-Length bytes of body have arrived. */
  static boolean complete(String answer) {
    int end = answer.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(answer);
    return m.find() && answer.length() - end - 4 >= Integer.parseInt(m.group(1));
  }

  static String get(String target, String headers) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
  }

  @ParameterizedTest
  @ValueSource(ints = {4096, 5000, 8000, 8191, 8192, 8193, 20_000, 100_000, 1_000_000})
  void aRequestLineOverTheLimitIsAnswered414AtAnyLength(int length) throws Exception {
    start(s -> {});
    String target = "/callbacks/" + "a".repeat(length - "GET /callbacks/ HTTP/1.1".length());

    String answer = exchange(get(target, ""));

    assertThat(answer).startsWith("HTTP/1.1 414");
    assertThat(answer).contains("Request line longer than 4096 bytes");
  }

  @Test
  void tenThousandHeadersAreAnswered431() throws Exception {
    start(s -> {});
    StringBuilder headers = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      headers.append("X-H").append(i).append(": v\r\n");
    }

    String answer = exchange(get("/api/health", headers.toString()));

    assertThat(answer).startsWith("HTTP/1.1 431");
    assertThat(answer).contains("Request headers larger than 16384 bytes");
  }

  @ParameterizedTest
  @ValueSource(ints = {17_000, 20_000, 200_000, 2_000_000})
  void oneHugeHeaderIsAnswered431AtAnyLength(int length) throws Exception {
    start(s -> {});

    String answer = exchange(get("/api/health", "X-Big: " + "b".repeat(length) + "\r\n"));

    assertThat(answer).startsWith("HTTP/1.1 431");
  }

  @Test
  void theLimitsAreConfigurable() throws Exception {
    start(s -> s.maxRequestLine(10_000).maxHeaderSize(40_000));
    String line9000 =
        "/api/health?pad=" + "p".repeat(9000 - "GET /api/health?pad= HTTP/1.1".length());

    assertThat(exchange(get(line9000, ""))).startsWith("HTTP/1.1 200");
    assertThat(exchange(get("/api/health", "X-Big: " + "b".repeat(30_000) + "\r\n")))
        .startsWith("HTTP/1.1 200");
    assertThat(exchange(get("/api/health?pad=" + "p".repeat(10_000), "")))
        .startsWith("HTTP/1.1 414")
        .contains("longer than 10000 bytes");
    assertThat(exchange(get("/api/health", "X-Big: " + "b".repeat(50_000) + "\r\n")))
        .startsWith("HTTP/1.1 431");
  }

  @Test
  void aMalformedRequestGetsA400WithAMessageNotTheRequest() throws Exception {
    start(s -> {});

    String answer = exchange("GET /callbacks/secret-looking HTTP/1.1\r\nNo colon here\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 400").contains("malformed HTTP");
    assertThat(answer).doesNotContain("secret-looking");
  }
}
