package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One page of a sorted list of invocations, in the query's order, with the places of the pages
 * around it.
 *
 * @param previous where the page before this one ends, null on the first page
 * @param next where the page after this one starts, null on the last page
 */
public record InvocationPage(
    List<InvocationRow> rows,
    @Nullable InvocationCursor previous,
    @Nullable InvocationCursor next) {

  public InvocationPage {
    rows = List.copyOf(rows);
  }

  /**
   * The page from up to {@code limit + 1} rows a store read in the direction it walked (backwards
   * for a previous page): the extra row only tells that there is more that way.
   *
   * @param lastActivity each row's last-activity time (needed for that order only)
   */
  public static InvocationPage of(
      InvocationQuery query,
      List<InvocationRow> walked,
      Function<InvocationRow, ? extends @Nullable Instant> lastActivity) {
    InvocationCursor at = query.page();
    boolean backward = at != null && at.before();
    boolean more = walked.size() > query.limit();
    List<InvocationRow> rows =
        new ArrayList<>(walked.subList(0, Math.min(walked.size(), query.limit())));
    if (backward) {
      Collections.reverse(rows);
    }
    if (rows.isEmpty()) {
      return new InvocationPage(rows, null, null);
    }
    InvocationSort sort = query.sort();
    InvocationRow first = rows.getFirst();
    InvocationRow last = rows.getLast();
    boolean hasPrevious = backward ? more : at != null;
    boolean hasNext = backward || more;
    return new InvocationPage(
        rows,
        hasPrevious ? InvocationCursor.before(sort, first, lastActivity.apply(first)) : null,
        hasNext ? InvocationCursor.after(sort, last, lastActivity.apply(last)) : null);
  }
}
