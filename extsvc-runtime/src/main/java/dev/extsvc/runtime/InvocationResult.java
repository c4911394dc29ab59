package dev.extsvc.runtime;

import dev.extsvc.spec.RequestParts;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The synchronous answer of a callout.
 *
 * @param invocationId the id to follow the invocation by (asynchronous and synchronous operations
 *     alike)
 * @param sentRequest the request as sent, with the callback URLs the runtime wrote into it
 * @param callbackUrls for each callback key that can be awaited, the URL written for it
 */
public record InvocationResult(
    UUID invocationId,
    boolean async,
    int statusCode,
    Map<String, List<String>> headers,
    @Nullable String body,
    RequestParts sentRequest,
    Map<String, String> callbackUrls) {

  public boolean successful() {
    return statusCode >= 200 && statusCode < 300;
  }
}
