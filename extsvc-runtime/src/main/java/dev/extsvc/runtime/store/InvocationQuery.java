package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A filter, search and page over invocations, newest first. Paging is by keyset: {@code before} is
 * the last id of the previous page.
 *
 * @param text words every result's stored request, synchronous answer or callback bodies hold (see
 *     {@link SearchText}); null or blank for no search
 */
public record InvocationQuery(
    @Nullable InvocationStatus status,
    @Nullable String service,
    @Nullable String operation,
    @Nullable Instant submittedFrom,
    @Nullable Instant submittedTo,
    @Nullable UUID before,
    int limit,
    @Nullable String text) {

  public InvocationQuery {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be 1..1000, was " + limit);
    }
    if (text != null && SearchText.words(text).isEmpty()) {
      text = null; // nothing to look for: no filter
    }
    if (text != null && text.length() > 200) {
      throw new IllegalArgumentException("a search is at most 200 characters");
    }
  }

  /** A filter and page without a search. */
  public InvocationQuery(
      @Nullable InvocationStatus status,
      @Nullable String service,
      @Nullable String operation,
      @Nullable Instant submittedFrom,
      @Nullable Instant submittedTo,
      @Nullable UUID before,
      int limit) {
    this(status, service, operation, submittedFrom, submittedTo, before, limit, null);
  }

  /** The same query with another page size. */
  public InvocationQuery withLimit(int pageSize) {
    return new InvocationQuery(
        status, service, operation, submittedFrom, submittedTo, before, pageSize, text);
  }

  /**
   * The same query, keeping only invocations whose stored request, synchronous answer or callback
   * bodies hold every word of {@code search} (see {@link SearchText}).
   */
  public InvocationQuery withText(@Nullable String search) {
    return new InvocationQuery(
        status, service, operation, submittedFrom, submittedTo, before, limit, search);
  }

  public static InvocationQuery all(int limit) {
    return new InvocationQuery(null, null, null, null, null, null, limit);
  }
}
