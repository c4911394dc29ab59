package dev.extsvc.runtime;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The callout to the external service failed before an answer came (connection refused, timeout,
 * ...). An asynchronous invocation is then CANCELLED with this reason.
 */
public final class CalloutException extends ExtsvcException {
  private final @Nullable UUID invocationId;

  public CalloutException(String message, @Nullable UUID invocationId, Throwable cause) {
    super(message, cause);
    this.invocationId = invocationId;
  }

  /** The cancelled invocation, or null for a synchronous operation. */
  public @Nullable UUID invocationId() {
    return invocationId;
  }
}
