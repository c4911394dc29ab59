package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A filter and page over invocations, newest first. Paging is by keyset: {@code before} is the last
 * id of the previous page.
 */
public record InvocationQuery(
    @Nullable InvocationStatus status,
    @Nullable String service,
    @Nullable String operation,
    @Nullable Instant submittedFrom,
    @Nullable Instant submittedTo,
    @Nullable UUID before,
    int limit) {

  public InvocationQuery {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be 1..1000, was " + limit);
    }
  }

  public static InvocationQuery all(int limit) {
    return new InvocationQuery(null, null, null, null, null, null, limit);
  }
}
