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
    q.putAll(searches(false));
    return q;
  }

  /**
   * Searches of the values (InvocationQuery.text): row i's request names its applicant ({@link
   * WaitingRows#name}) living at "i Main Street, Springfield", its answer its application number
   * ACME-i. With {@code filtered}, also searches combined with the list's other filters.
   */
  static Map<String, InvocationQuery> searches(boolean filtered) {
    Map<String, InvocationQuery> q = new LinkedHashMap<>();
    q.put("search a rare value: ACME-4242 (1 row)", search("ACME-4242"));
    q.put("search a common word: Springfield (every row)", search("Springfield"));
    q.put("search a name: Ada Lovelace (1 row in 3,000)", search("Ada Lovelace"));
    if (filtered) {
      q.put("search a first name: Ada (1 row in 50)", search("Ada"));
      q.put(
          "search Springfield + service Rare Service (0.1 %)",
          search("Springfield").withService(WaitingRows.RARE));
      q.put(
          "search Springfield + service Payments (30 %)",
          search("Springfield").withService(WaitingRows.PAYMENTS));
      q.put(
          "search Ada Lovelace + status PENDING (every row)",
          search("Ada Lovelace").withStatus(InvocationStatus.PENDING));
      q.put(
          "search ACME-4242 + service Acme Mortgages", search("ACME-4242").withService(Specs.ACME));
      q.put(
          "search Springfield + status COMPLETED (no rows)",
          search("Springfield").withStatus(InvocationStatus.COMPLETED));
    }
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
