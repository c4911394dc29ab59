package dev.extsvc.runtime.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A place in a sorted list of invocations, between two rows: the sort key and id of one row, and
 * whether the page wanted lies after it (the next page) or before it (the previous one). Pages are
 * found by this key (keyset paging), so rows added or finished meanwhile never make a page repeat
 * or skip one. {@link #token()} writes it for an address; {@link #parse} reads it back.
 *
 * @param key the row's value of the sort column, as text: null for {@link
 *     InvocationSort.Column#SUBMITTED} (the id is the key), an ISO-8601 instant for the times, the
 *     text for the others
 * @param before true when the page lies before the row (in the sort's order), false when after it
 */
public record InvocationCursor(InvocationSort sort, @Nullable String key, UUID id, boolean before) {

  public InvocationCursor {
    switch (sort.column()) {
      case SUBMITTED -> {
        if (key != null) {
          throw new IllegalArgumentException("A page of the submit order has no key but the id");
        }
      }
      case LAST_ACTIVITY, DEADLINE -> {
        if (key == null) {
          throw new IllegalArgumentException("A page of a time order needs the time");
        }
        Instant.parse(key); // throws DateTimeParseException, an IllegalArgumentException
      }
      case STATUS -> InvocationStatus.valueOf(requireKey(key));
      case SERVICE, OPERATION -> requireKey(key);
    }
  }

  /** The place just after {@code row} (its last-activity time given, when the sort needs it). */
  public static InvocationCursor after(
      InvocationSort sort, InvocationRow row, @Nullable Instant lastActivity) {
    return new InvocationCursor(sort, keyOf(sort.column(), row, lastActivity), row.id(), false);
  }

  /** The place just before {@code row}. */
  public static InvocationCursor before(
      InvocationSort sort, InvocationRow row, @Nullable Instant lastActivity) {
    return new InvocationCursor(sort, keyOf(sort.column(), row, lastActivity), row.id(), true);
  }

  /** The sort key of a row as a cursor keeps it. */
  static @Nullable String keyOf(
      InvocationSort.Column column, InvocationRow row, @Nullable Instant lastActivity) {
    return switch (column) {
      case SUBMITTED -> null;
      case LAST_ACTIVITY -> {
        if (lastActivity == null) {
          throw new IllegalArgumentException("The last-activity order needs the row's activity");
        }
        yield lastActivity.toString();
      }
      case SERVICE -> row.service();
      case OPERATION -> row.operation();
      case STATUS -> row.status().name();
      case DEADLINE -> row.deadline().toString();
    };
  }

  /** The key as an instant, for the time columns. */
  public Instant instantKey() {
    return Instant.parse(requireKey(key));
  }

  /** The page's position as one opaque, address-safe word. */
  public String token() {
    String text =
        sort.column().parameter()
            + "|"
            + sort.order()
            + "|"
            + (before ? "b" : "a")
            + "|"
            + id
            + (key == null ? "" : "|" + key);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a {@link #token()} back.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static InvocationCursor parse(String token) {
    try {
      String text =
          new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.UTF_8);
      String[] parts = text.split("\\|", 5);
      if (parts.length < 4) {
        throw new IllegalArgumentException("too few parts");
      }
      InvocationSort.Column column =
          InvocationSort.Column.ofParameter(parts[0])
              .orElseThrow(() -> new IllegalArgumentException("unknown column"));
      if (!parts[1].equals("asc") && !parts[1].equals("desc")) {
        throw new IllegalArgumentException("unknown order");
      }
      if (!parts[2].equals("a") && !parts[2].equals("b")) {
        throw new IllegalArgumentException("unknown side");
      }
      return new InvocationCursor(
          new InvocationSort(column, parts[1].equals("desc")),
          parts.length == 5 ? parts[4] : null,
          UUID.fromString(parts[3]),
          parts[2].equals("b"));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IllegalArgumentException("'" + abbreviated(token) + "' is not a page token", e);
    }
  }

  private static String requireKey(@Nullable String key) {
    if (key == null) {
      throw new IllegalArgumentException("A page of this order needs its key");
    }
    return key;
  }

  private static String abbreviated(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "…";
  }
}
