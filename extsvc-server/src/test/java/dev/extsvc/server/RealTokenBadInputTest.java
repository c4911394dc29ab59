package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input suite over real sockets against the REAL token of a pending invocation: malformed,
 * oversized, wrong-method, wrong-type, mis-framed and slow callbacks, and the fuzz cases of {@link
 * BadInputFuzzTest}. Each gets a 4xx (HTTP/1.0: 505); afterwards the invocation is still PENDING,
 * no callback is stored (not even half), no handler ran; and in everything every logger said
 * meanwhile, at every level, the token never appears.
 */
class RealTokenBadInputTest {
  static final int FUZZ_OVER_HTTP = Integer.getInteger("fuzz.http", 600);

  @TempDir Path dir;
  Fixture f;

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  /** One bad request: what it is, its raw bytes, and the status it must get (0: any 4xx). */
  record Case(String name, byte[] request, int expected) {}

  @Test
  void everyBadCallbackWithARealTokenGets4xxChangesNothingAndNoLogHoldsTheToken() throws Exception {
    RecordingHandler.reset();
    f =
        new Fixture(
                dir,
                b -> b.unknownTokenLimit(1_000_000),
                s -> s.minBodyRate(1000, Duration.ofMillis(500)))
            .withAcme();
    InvocationResult r =
        f.services.invoke(
            Fixture.ACME,
            "SubmitApplication",
            RequestParts.fromJson(
                Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Mallory\"}}}")),
            new RecordingHandler(
                "Mallory",
                CallbackLoopTest.APPROVED,
                CallbackLoopTest.REJECTED,
                CallbackLoopTest.ERROR),
            null);
    String approved = URI.create(r.callbackUrls().get(CallbackLoopTest.APPROVED)).getRawPath();
    List<String> tokens =
        r.callbackUrls().values().stream()
            .map(u -> URI.create(u).getRawPath().substring("/callbacks/".length()))
            .map(p -> p.contains("/") ? p.substring(0, p.indexOf('/')) : p)
            .distinct()
            .toList();
    String token = approved.substring("/callbacks/".length());
    int eventsBefore = f.services.events(r.invocationId()).size();
    Map<String, Integer> byStatus = new TreeMap<>();

    try (LogCapture log = new LogCapture()) {
      for (Case c : handWritten(approved)) {
        int status = send(c.request());
        byStatus.merge(c.name().split(":")[0] + " " + status, 1, Integer::sum);
        if (c.expected() == 0) {
          assertThat(status).as(c.name()).isBetween(400, 499);
        } else {
          assertThat(status).as(c.name()).isEqualTo(c.expected());
        }
      }
      Random random = new Random(20261206);
      for (int i = 0; i < FUZZ_OVER_HTTP; i++) {
        if (i % 12 == 7) {
          continue; // "no body": over HTTP an empty body, which this spec allows (issue 18, 8)
        }
        CallbackRequest bad = BadInputFuzzTest.generate(random, i, token);
        int status = send(raw(bad));
        assertThat(status).as("fuzz %d: %s %s", i, bad.method(), bad.path()).isBetween(400, 499);
      }
      Thread.sleep(300); // what Helidon logs as the last connections end

      String all = log.text();
      assertThat(log.events()).isPositive();
      assertThat(tokens)
          .allSatisfy(t -> assertThat(all).doesNotContain(t).doesNotContain(t.substring(0, 16)));
      assertThat(all).doesNotContain("\tat dev.extsvc"); // no stack trace of ours
    }

    assertThat(f.services.invocation(r.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(r.invocationId())).isEmpty();
    assertThat(RecordingHandler.SEEN).isEmpty();
    assertThat(f.services.events(r.invocationId()).size()).isGreaterThan(eventsBefore);
    assertThat(f.services.events(r.invocationId()).toString()).doesNotContain(token);
  }

  /** The cases of BadCallbackTest, and those only raw sockets can send. */
  static List<Case> handWritten(String path) {
    String valid = CallbackLoopTest.APPROVED_BODY;
    List<Case> cases = new ArrayList<>();
    cases.add(json("malformed JSON", path, "{\"applicationNumber\": \"A\",\n \"status\": }", 400));
    cases.add(
        json(
            "schema: wrong type",
            path,
            "{\"applicationNumber\":\"A\",\"approvedAmount\":\"lots\"}",
            400));
    cases.add(
        json(
            "duplicate keys",
            path,
            "{\"status\":\"a\",\"status\":\"b\",\"applicationNumber\":\"A\"}",
            400));
    cases.add(json("nesting", path, "[".repeat(100_000) + "]".repeat(100_000), 400));
    cases.add(
        json(
            "number",
            path,
            "{\"applicationNumber\":\"A\",\"status\":\"a\",\"approvedAmount\":1"
                + "0".repeat(5000)
                + "}",
            400));
    cases.add(
        json(
            "too large",
            path,
            "{\"applicationNumber\":\"" + "x".repeat(1024 * 1024) + "\",\"status\":\"a\"}",
            413));
    for (String method : List.of("DELETE", "GET", "PATCH", "OPTIONS")) {
      cases.add(request("method: " + method, method, path, Map.of(), null, 405));
    }
    cases.add(request("method: PUT", "PUT", path, jsonType(), valid, 405));
    for (String type :
        List.of("text/plain", "application/xml", "application/x-www-form-urlencoded")) {
      cases.add(request("type: " + type, "POST", path, Map.of("Content-Type", type), valid, 415));
    }
    cases.add(
        new Case(
            "invalid UTF-8",
            concat(
                head("POST", path, jsonType(), 10),
                new byte[] {'{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}),
            400));
    cases.add(new Case("chunked over the limit", chunked(path, "x".repeat(64 * 1024), 40), 413));
    cases.add(
        new Case(
            "bad chunk size",
            ("POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII),
            0));
    cases.add(
        new Case(
            "header without colon",
            ("POST " + path + " HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII),
            400));
    cases.add(
        new Case(
            "request line too long",
            ("POST " + path + "?pad=" + "p".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII),
            414));
    cases.add(
        new Case(
            "headers too large",
            ("POST " + path + " HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII),
            431));
    cases.add(
        new Case(
            "slow body",
            ("POST "
                    + path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"a\":")
                .getBytes(StandardCharsets.US_ASCII),
            408));
    cases.add(
        new Case(
            "HTTP/1.0",
            ("POST " + path + " HTTP/1.0\r\nContent-Type: application/json\r\n\r\n" + valid)
                .getBytes(StandardCharsets.US_ASCII),
            505)); // the one answer not 4xx: the right one for a version the server does not speak
    return cases;
  }

  static Map<String, String> jsonType() {
    return Map.of("Content-Type", "application/json");
  }

  static Case json(String name, String path, String body, int expected) {
    return request(name, "POST", path, jsonType(), body, expected);
  }

  static Case request(
      String name,
      String method,
      String path,
      Map<String, String> headers,
      String body,
      int expected) {
    byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return new Case(name, concat(head(method, path, headers, b.length), b), expected);
  }

  static byte[] head(String method, String path, Map<String, String> headers, int length) {
    StringBuilder h = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: x\r\n");
    headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
    h.append("Content-Length: ").append(length).append("\r\nConnection: close\r\n\r\n");
    return h.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] chunked(String path, String chunk, int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < count; i++) {
      out.writeBytes(
          (Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** A fuzz case as raw bytes: its method, path under /callbacks/, headers and body. */
  static byte[] raw(CallbackRequest bad) {
    byte[] body = bad.body() == null ? new byte[0] : bad.body();
    Map<String, String> headers = new LinkedHashMap<>();
    bad.headers().forEach((k, v) -> headers.put(k, String.join(", ", v)));
    // a path the fuzz mangled into what no request line can carry is sent percent-encoded
    String target = "/callbacks/" + encodeUnsafe(bad.path());
    return concat(head(bad.method(), target, headers, body.length), body);
  }

  static String encodeUnsafe(String path) {
    StringBuilder out = new StringBuilder();
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c <= 0x20 || c >= 0x7f) {
        out.append('%').append(String.format("%02X", c));
      } else {
        out.append((char) c);
      }
    }
    return out.toString();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * Sends the bytes from another thread (the server may answer and close first) and returns the
   * status of the answer, -1 when none came.
   */
  int send(byte[] request) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.server.port())) {
      s.setSoTimeout(20_000);
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      OutputStream out = s.getOutputStream();
                      out.write(request);
                      out.flush();
                    } catch (IOException e) {
                      // closed by the server first: its answer counts
                    }
                  });
      StringBuilder line = new StringBuilder();
      InputStream in = s.getInputStream();
      try {
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
          line.append((char) c);
        }
      } catch (SocketException e) {
        // reset: whatever arrived before it stands
      }
      writer.join(20_000);
      String[] parts = line.toString().split(" ");
      return parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
    }
  }
}
