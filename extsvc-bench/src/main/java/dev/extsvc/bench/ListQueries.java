package dev.extsvc.bench;

import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.runtime.store.InvocationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The console's first pages (50 rows) over the waiting rows of {@link WaitingRows}, one per kind of
 * filter, and searches of the values.
 */
final class ListQueries {
  static final int PAGE = 50;

  private ListQueries() {}

  static Map<String, InvocationQuery> firstPages(Instant now) {
    Map<String, InvocationQuery> q = new LinkedHashMap<>();
    q.put("no filter", InvocationQuery.all(PAGE));
    q.put("status PENDING (most rows)", query(InvocationStatus.PENDING, null, null, null, null));
    q.put(
        "status TIMED_OUT (swept rows)", query(InvocationStatus.TIMED_OUT, null, null, null, null));
    q.put("status COMPLETED (no rows)", query(InvocationStatus.COMPLETED, null, null, null, null));
    q.put("service Payments (30 %)", query(null, WaitingRows.PAYMENTS, null, null, null));
    q.put("service Rare Service (0.1 %)", query(null, WaitingRows.RARE, null, null, null));
    q.put("operation CreatePayment (15 %)", query(null, null, "CreatePayment", null, null));
    q.put("time range: last 24 h", query(null, null, null, now.minus(Duration.ofDays(1)), now));
    Instant old = now.minus(Duration.ofDays(15));
    q.put(
        "time range: one day 2 weeks ago",
        query(null, null, null, old, old.plus(Duration.ofDays(1))));
    q.put(
        "status TIMED_OUT + service Rare Service",
        query(InvocationStatus.TIMED_OUT, WaitingRows.RARE, null, null, null));
    // Search (InvocationQuery.text): the words of each request and synchronous answer are indexed;
    // row i's request names "Applicant i" living at "i Main Street, Springfield".
    q.put("search a rare value: 4242 (1 row)", search("4242"));
    q.put("search a common word: Springfield (every row)", search("Springfield"));
    q.put("search a name: Applicant 4242", search("Applicant 4242"));
    return q;
  }

  private static InvocationQuery search(String text) {
    return InvocationQuery.all(PAGE).withText(text);
  }

  private static InvocationQuery query(
      @Nullable InvocationStatus status,
      @Nullable String service,
      @Nullable String operation,
      @Nullable Instant from,
      @Nullable Instant to) {
    return new InvocationQuery(status, service, operation, from, to, null, PAGE);
  }
}
