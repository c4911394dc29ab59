package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A filter, an order and a page over invocations. Paging is by keyset: {@code page} is a place in
 * the list in this query's order ({@link InvocationPage#next()} or {@link
 * InvocationPage#previous()} of the page before), null for the first page. Build one with {@link
 * #all(int)} and the {@code with…} methods, so that a new filter is one more method.
 *
 * @param text words every result's stored request, synchronous answer and callback bodies hold
 *     between them (see {@link SearchText}); null for no search
 */
public record InvocationQuery(
    @Nullable InvocationStatus status,
    @Nullable String service,
    @Nullable String operation,
    @Nullable Instant submittedFrom,
    @Nullable Instant submittedTo,
    InvocationSort sort,
    @Nullable InvocationCursor page,
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
    if (page != null && !page.sort().equals(sort)) {
      throw new IllegalArgumentException(
          "page belongs to the order "
              + page.sort().column().parameter()
              + " "
              + page.sort().order()
              + ", not "
              + sort.column().parameter()
              + " "
              + sort.order());
    }
  }

  /**
   * Newest first, the page after the invocation {@code before} when it is given (the older ones).
   */
  public InvocationQuery(
      @Nullable InvocationStatus status,
      @Nullable String service,
      @Nullable String operation,
      @Nullable Instant submittedFrom,
      @Nullable Instant submittedTo,
      @Nullable UUID before,
      int limit) {
    this(
        status,
        service,
        operation,
        submittedFrom,
        submittedTo,
        InvocationSort.NEWEST_FIRST,
        before == null
            ? null
            : new InvocationCursor(InvocationSort.NEWEST_FIRST, null, before, false),
        limit,
        null);
  }

  /** Every invocation, newest first, the first {@code limit}. */
  public static InvocationQuery all(int limit) {
    return new InvocationQuery(
        null, null, null, null, null, InvocationSort.NEWEST_FIRST, null, limit, null);
  }

  public InvocationQuery withStatus(@Nullable InvocationStatus status) {
    return new InvocationQuery(
        status, service, operation, submittedFrom, submittedTo, sort, page, limit, text);
  }

  public InvocationQuery withService(@Nullable String service) {
    return new InvocationQuery(
        status, service, operation, submittedFrom, submittedTo, sort, page, limit, text);
  }

  public InvocationQuery withOperation(@Nullable String operation) {
    return new InvocationQuery(
        status, service, operation, submittedFrom, submittedTo, sort, page, limit, text);
  }

  /** Submitted at or after {@code from} and before {@code to} (either may be null: open). */
  public InvocationQuery withSubmitted(@Nullable Instant from, @Nullable Instant to) {
    return new InvocationQuery(status, service, operation, from, to, sort, page, limit, text);
  }

  /** In this order, from its first page. */
  public InvocationQuery withSort(InvocationSort sort) {
    return new InvocationQuery(
        status, service, operation, submittedFrom, submittedTo, sort, null, limit, text);
  }

  /** The page at this place (of this query's order), null for the first. */
  public InvocationQuery withPage(@Nullable InvocationCursor page) {
    return new InvocationQuery(
        status, service, operation, submittedFrom, submittedTo, sort, page, limit, text);
  }

  public InvocationQuery withLimit(int limit) {
    return new InvocationQuery(
        status, service, operation, submittedFrom, submittedTo, sort, page, limit, text);
  }

  /**
   * The same query, keeping only invocations whose stored request, synchronous answer and callback
   * bodies hold every word of {@code search} between them (see {@link SearchText}); null for no
   * search.
   */
  public InvocationQuery withText(@Nullable String search) {
    return new InvocationQuery(
        status, service, operation, submittedFrom, submittedTo, sort, page, limit, search);
  }
}
