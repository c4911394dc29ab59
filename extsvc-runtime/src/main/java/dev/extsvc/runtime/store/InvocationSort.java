package dev.extsvc.runtime.store;

import java.util.Locale;
import java.util.Optional;

/**
 * The order of a list of invocations: one column, ascending or descending, then the id in the same
 * direction, so that the order is total and pages never repeat or skip a row among ties.
 *
 * @param descending largest first (newest first for times)
 */
public record InvocationSort(Column column, boolean descending) {

  /** Newest first: the list's default. */
  public static final InvocationSort NEWEST_FIRST = new InvocationSort(Column.SUBMITTED, true);

  /** What a list of invocations can be sorted by; each has an index in both JDBC dialects. */
  public enum Column {
    /** When it was submitted: by id, a UUIDv7, so by the submit time to the millisecond. */
    SUBMITTED,
    /**
     * When anything last happened to it: the time of its newest event (its submission when it has
     * none).
     */
    LAST_ACTIVITY,
    SERVICE,
    OPERATION,
    /** By the status's name: CANCELLED, COMPLETED, PENDING, TIMED_OUT. */
    STATUS,
    DEADLINE;

    /** Its name in addresses: {@code submitted}, {@code activity}, {@code service}, ... */
    public String parameter() {
      return this == LAST_ACTIVITY ? "activity" : name().toLowerCase(Locale.ROOT);
    }

    /** The column of that {@link #parameter()} name, if there is one. */
    public static Optional<Column> ofParameter(String parameter) {
      for (Column c : values()) {
        if (c.parameter().equals(parameter)) {
          return Optional.of(c);
        }
      }
      return Optional.empty();
    }

    /** The parameter names, for an error message: "submitted, activity, ...". */
    public static String parameters() {
      return String.join(", ", java.util.Arrays.stream(values()).map(Column::parameter).toList());
    }
  }

  /** {@code asc} or {@code desc}, as addresses write it. */
  public String order() {
    return descending ? "desc" : "asc";
  }
}
