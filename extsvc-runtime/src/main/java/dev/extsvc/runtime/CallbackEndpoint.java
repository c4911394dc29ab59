package dev.extsvc.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What every HTTP adapter of the callback endpoint does, whatever the framework: takes the token
 * path from under the callback path, reads the body under {@link Limits#maxBodyBytes()} (refusing
 * an over-long Content-Length before reading a byte), hands the request to the {@link
 * CallbackReceiver} and writes its answer as JSON. A framework supplies a {@link CallbackExchange};
 * see extsvc-server's Helidon route, the Spring starter's servlet and examples/plain-embedding for
 * three.
 */
public final class CallbackEndpoint {
  private static final int BUFFER = 8192;
  private static final CallbackResponse UNREADABLE =
      new CallbackResponse(400, "{\"message\":\"Unreadable body\"}", Map.of());

  private final Function<CallbackRequest, CallbackResponse> receiver;
  private final int maxBodyBytes;
  private final String prefix;

  /**
   * An endpoint mounted at {@code callbackPath} (e.g. "/callbacks") in front of {@code receiver}.
   */
  public CallbackEndpoint(CallbackReceiver receiver, String callbackPath) {
    this(receiver::handle, receiver.limits().maxBodyBytes(), callbackPath);
  }

  CallbackEndpoint(
      Function<CallbackRequest, CallbackResponse> receiver, int maxBodyBytes, String callbackPath) {
    this.receiver = Objects.requireNonNull(receiver, "receiver");
    this.maxBodyBytes = maxBodyBytes;
    if (!callbackPath.startsWith("/")) {
      throw new IllegalArgumentException(
          "callbackPath must start with /, was '" + callbackPath + "'");
    }
    this.prefix = callbackPath.endsWith("/") ? callbackPath : callbackPath + "/";
  }

  /**
   * Serves one request: reads it, lets the receiver judge it, sends the answer.
   *
   * @return the answer sent, or null when the framework said nobody was left to answer
   * @throws IOException when sending the answer fails
   */
  public @Nullable CallbackResponse serve(CallbackExchange exchange) throws IOException {
    byte[] body = null;
    long declared = exchange.contentLength();
    if (declared
        <= maxBodyBytes) { // else refused before reading: the sender learns at once, nothing is
      // drained
      try (InputStream in = exchange.body()) {
        body = readBounded(in, declared, maxBodyBytes);
      } catch (IOException | RuntimeException e) {
        if (!exchange.answerable(e)) {
          return null;
        }
        send(exchange, UNREADABLE, false);
        return UNREADABLE;
      }
    }
    CallbackResponse answer =
        receiver.apply(
            new CallbackRequest(
                exchange.method(),
                tokenPath(exchange.rawPath()),
                exchange.headers(),
                body,
                exchange.remoteAddress()));
    send(exchange, answer, body == null);
    return answer;
  }

  /**
   * What follows the callback path ("TOKEN/events"); empty for a path outside it (the receiver
   * answers 404).
   */
  String tokenPath(String rawPath) {
    return rawPath.startsWith(prefix) ? rawPath.substring(prefix.length()) : "";
  }

  /**
   * Reads a body of at most {@code max} bytes, chunked ones too, stopping at the declared length
   * (some servers' streams block for more instead of ending there).
   *
   * @param declaredLength the Content-Length, or -1 for none
   * @return the bytes, or null as soon as the body is known to be longer than {@code max} (the rest
   *     unread)
   */
  public static byte @Nullable [] readBounded(InputStream in, long declaredLength, int max)
      throws IOException {
    if (declaredLength > max) {
      return null;
    }
    if (declaredLength >= 0) {
      return in.readNBytes(
          (int) declaredLength); // one array of the right size; a shorter body ends early
    }
    long limit = (long) max + 1; // one byte past the limit tells "too long" from "exactly max"
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[BUFFER];
    long total = 0;
    while (total < limit) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
      if (n < 0) {
        break;
      }
      out.write(buffer, 0, n);
      total += n;
    }
    return total > max ? null : out.toByteArray();
  }

  private static void send(CallbackExchange exchange, CallbackResponse answer, boolean bodyRefused)
      throws IOException {
    Map<String, String> headers = new LinkedHashMap<>(answer.headers());
    if (!answer.body().isEmpty()) { // a 204 has no body, so no type
      headers.put("Content-Type", "application/json");
    }
    headers.put("Cache-Control", "no-store");
    if (bodyRefused) {
      headers.put(
          "Connection",
          "close"); // the unread rest of the body must not be taken for the next request
    }
    exchange.respond(answer.status(), headers, answer.body().getBytes(StandardCharsets.UTF_8));
  }
}
