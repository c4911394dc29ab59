package dev.extsvc.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request to the callback endpoint and the means to answer it, as a web framework presents
 * them: what an adapter implements (a few lines per framework) so that {@link CallbackEndpoint}
 * does the rest.
 */
public interface CallbackExchange {
  /** The request method, e.g. "POST". */
  String method();

  /**
   * The request path as sent (not decoded), without the application's context path if it has one,
   * e.g. "/callbacks/TOKEN/events".
   */
  String rawPath();

  /** Every request header with all its values; names in any case. */
  Map<String, List<String>> headers();

  /** The declared Content-Length, or -1 when the request declares none (chunked, or no body). */
  long contentLength();

  /**
   * The request body. The endpoint reads at most what it may accept and closes the stream before
   * the receiver runs; it does not call this when the declared length is over the limit.
   */
  InputStream body() throws IOException;

  /**
   * The address of the direct peer, e.g. "203.0.113.7" (brackets and a port are tolerated): not a
   * client named by a forwarding header. The runtime reads {@code Forwarded} / {@code
   * X-Forwarded-For} from {@link #headers()} itself, and only when this peer is one of its trusted
   * proxies ({@code ExternalServices.Builder.trustedProxies}).
   */
  String remoteAddress();

  /**
   * Sends the answer: the status, every header to set (Content-Type included) and the body. Called
   * at most once.
   */
  void respond(int status, Map<String, String> headers, byte[] body) throws IOException;

  /**
   * Whether someone is left to answer after reading the body failed: true (the default) answers 400
   * "Unreadable body"; false sends nothing, for a framework that closed the connection itself (a
   * body too slow to wait for).
   */
  default boolean answerable(Exception readFailure) {
    return true;
  }
}
