package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The adapter core every framework shares: path, bounded body, the receiver's answer written back.
 */
class CallbackEndpointTest {
  static final int MAX = 16;

  /** A receiver that records what it was handed and answers 200 with a header of its own. */
  final List<CallbackRequest> received = new ArrayList<>();

  final CallbackEndpoint endpoint =
      new CallbackEndpoint(
          request -> {
            received.add(request);
            return new CallbackResponse(
                200, "{\"message\":\"Callback handled\"}", Map.of("X-Extsvc", "yes"));
          },
          MAX,
          "/hooks/extsvc");

  @Test
  void theReceiverGetsWhatFollowsTheCallbackPathWithMethodHeadersBodyAndSender()
      throws IOException {
    FakeExchange exchange =
        new FakeExchange("POST", "/hooks/extsvc/TOKEN/events", "{\"a\":1}".getBytes(), 7);

    CallbackResponse answer = endpoint.serve(exchange);

    assertThat(answer).isNotNull();
    CallbackRequest r = received.get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("TOKEN/events");
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(r.remoteAddress()).isEqualTo("203.0.113.7");
  }

  @Test
  void aPathOutsideTheCallbackPathReachesTheReceiverWithoutAToken() throws IOException {
    endpoint.serve(new FakeExchange("POST", "/callbacks/TOKEN", new byte[0], 0));
    endpoint.serve(new FakeExchange("POST", "/hooks/extsvcTOKEN", new byte[0], 0));

    assertThat(received).extracting(CallbackRequest::path).containsExactly("", "");
  }

  @Test
  void theAnswerCarriesTheReceiversStatusHeadersAndBodyAsUncachedJson() throws IOException {
    FakeExchange exchange = new FakeExchange("POST", "/hooks/extsvc/TOKEN", "{}".getBytes(), 2);

    endpoint.serve(exchange);

    assertThat(exchange.status).isEqualTo(200);
    assertThat(exchange.sentHeaders)
        .containsEntry("X-Extsvc", "yes")
        .containsEntry("Content-Type", "application/json")
        .containsEntry("Cache-Control", "no-store")
        .doesNotContainKey("Connection");
    assertThat(new String(exchange.sentBody, StandardCharsets.UTF_8))
        .isEqualTo("{\"message\":\"Callback handled\"}");
    assertThat(exchange.responses).isEqualTo(1);
  }

  @Test
  void anOverLongContentLengthIsRefusedBeforeTheBodyIsOpenedAndTheConnectionClosed()
      throws IOException {
    FakeExchange exchange =
        new FakeExchange("POST", "/hooks/extsvc/TOKEN", new byte[MAX + 1], MAX + 1);

    endpoint.serve(exchange);

    assertThat(exchange.bodyOpened).isFalse();
    assertThat(received.get(0).body()).isNull(); // the receiver answers 413 for a null body
    assertThat(exchange.sentHeaders).containsEntry("Connection", "close");
  }

  @Test
  void aChunkedBodyOverTheLimitIsCutOneBytePastItAndTheRestLeftUnread() throws IOException {
    FakeExchange exchange = new FakeExchange("POST", "/hooks/extsvc/TOKEN", new byte[10 * MAX], -1);

    endpoint.serve(exchange);

    assertThat(received.get(0).body()).isNull();
    assertThat(exchange.bytesRead.get()).isEqualTo(MAX + 1);
    assertThat(exchange.sentHeaders).containsEntry("Connection", "close");
  }

  @Test
  void aChunkedBodyOfExactlyTheLimitIsAccepted() throws IOException {
    endpoint.serve(new FakeExchange("POST", "/hooks/extsvc/TOKEN", new byte[MAX], -1));

    assertThat(received.get(0).body()).hasSize(MAX);
  }

  @Test
  void readingStopsAtTheDeclaredLengthInsteadOfWaitingForMore() throws IOException {
    // a stream that fails if read past the declared 3 bytes, as a server's stream that blocks for
    // more would hang
    InputStream guarded =
        new InputStream() {
          final byte[] bytes = "abc".getBytes();
          int at;

          @Override
          public int read() {
            if (at >= bytes.length) {
              throw new AssertionError("read past the declared length");
            }
            return bytes[at++];
          }
        };

    assertThat(CallbackEndpoint.readBounded(guarded, 3, MAX)).containsExactly('a', 'b', 'c');
  }

  @Test
  void aBodyShorterThanDeclaredIsWhatArrived() throws IOException {
    assertThat(CallbackEndpoint.readBounded(new ByteArrayInputStream("ab".getBytes()), 5, MAX))
        .containsExactly('a', 'b');
    assertThat(CallbackEndpoint.readBounded(new ByteArrayInputStream(new byte[0]), -1, MAX))
        .isEmpty();
  }

  @Test
  void theBodyIsClosedBeforeTheReceiverRuns() throws IOException {
    // Helidon's slow-body watch ends when the body closes: a slow handler must not count as a slow
    // body
    FakeExchange exchange = new FakeExchange("POST", "/hooks/extsvc/TOKEN", "{}".getBytes(), 2);
    List<Boolean> closedWhenHandled = new ArrayList<>();
    CallbackEndpoint watching =
        new CallbackEndpoint(
            request -> {
              closedWhenHandled.add(exchange.bodyClosed);
              return new CallbackResponse(200, "{}", Map.of());
            },
            MAX,
            "/hooks/extsvc");

    watching.serve(exchange);

    assertThat(closedWhenHandled).containsExactly(true);
  }

  @Test
  void anUnreadableBodyIsAnswered400WithoutReachingTheReceiver() throws IOException {
    FakeExchange exchange = new FakeExchange("POST", "/hooks/extsvc/TOKEN", new byte[4], -1);
    exchange.failReads = new IOException("connection reset");

    CallbackResponse answer = endpoint.serve(exchange);

    assertThat(answer).isNotNull().extracting(CallbackResponse::status).isEqualTo(400);
    assertThat(exchange.status).isEqualTo(400);
    assertThat(new String(exchange.sentBody, StandardCharsets.UTF_8))
        .isEqualTo("{\"message\":\"Unreadable body\"}");
    assertThat(received).isEmpty();
  }

  @Test
  void aReadFailureAfterWhichTheFrameworkClosedTheConnectionIsNotAnswered() throws IOException {
    FakeExchange exchange = new FakeExchange("POST", "/hooks/extsvc/TOKEN", new byte[4], -1);
    exchange.failReads = new IOException("too slow");
    exchange.answerable = false;

    assertThat(endpoint.serve(exchange)).isNull();
    assertThat(exchange.responses).isZero();
    assertThat(received).isEmpty();
  }

  @Test
  void aFailureToSendTheAnswerReachesTheAdapter() {
    FakeExchange exchange = new FakeExchange("POST", "/hooks/extsvc/TOKEN", new byte[0], 0);
    exchange.failRespond = true;

    assertThatThrownBy(() -> endpoint.serve(exchange))
        .isInstanceOf(IOException.class)
        .hasMessage("gone");
  }

  @Test
  void aCallbackPathWithoutItsLeadingSlashIsRefused() {
    assertThatThrownBy(
            () ->
                new CallbackEndpoint(
                    r -> new CallbackResponse(200, "{}", Map.of()), MAX, "callbacks"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with /");
  }

  /** An exchange held in memory, recording what the endpoint did with it. */
  static final class FakeExchange implements CallbackExchange {
    final String method;
    final String path;
    final byte[] bytes;
    final long declared;
    final AtomicInteger bytesRead = new AtomicInteger();
    @Nullable IOException failReads;
    boolean answerable = true;
    boolean failRespond;
    boolean bodyOpened;
    volatile boolean bodyClosed;
    int responses;
    int status;
    Map<String, String> sentHeaders = Map.of();
    byte[] sentBody = new byte[0];

    FakeExchange(String method, String path, byte[] bytes, long declared) {
      this.method = method;
      this.path = path;
      this.bytes = bytes;
      this.declared = declared;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String rawPath() {
      return path;
    }

    @Override
    public Map<String, List<String>> headers() {
      return Map.of("Content-Type", List.of("application/json"));
    }

    @Override
    public long contentLength() {
      return declared;
    }

    @Override
    public InputStream body() {
      bodyOpened = true;
      return new InputStream() {
        int at;

        @Override
        public int read() throws IOException {
          if (failReads != null) {
            throw failReads;
          }
          if (at >= bytes.length) {
            return -1;
          }
          bytesRead.incrementAndGet();
          return bytes[at++] & 0xff;
        }

        @Override
        public void close() {
          bodyClosed = true;
        }
      };
    }

    @Override
    public String remoteAddress() {
      return "203.0.113.7";
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] body) throws IOException {
      if (failRespond) {
        throw new IOException("gone");
      }
      responses++;
      this.status = status;
      this.sentHeaders = headers;
      this.sentBody = body;
    }

    @Override
    public boolean answerable(Exception readFailure) {
      return answerable;
    }
  }
}
