package dev.extsvc.server.console;

import dev.extsvc.runtime.Alert;
import dev.extsvc.runtime.store.ActivityMinute;
import dev.extsvc.runtime.store.CallbackRow;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationSort;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.NodeLease;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.Report;
import dev.extsvc.spec.ServiceDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What each page shows, computed before rendering so templates only lay it out. */
final class Views {
  private Views() {}

  /** The frame around every page. */
  record Chrome(String title, String nav, boolean canLogout) {}

  record Overview(
      Chrome chrome,
      Instant now,
      Map<InvocationStatus, Long> counts,
      long submittedLastHour,
      long callbacksLastHour,
      long failuresLastHour,
      long callbacksLastMinute,
      Chart chart,
      List<InvocationRow> dueSoon,
      List<CallbackRow> failed,
      List<Alert> alerts,
      List<Alert> resolvedAlerts,
      EarlyCounts early) {

    String callbacksPerMinute() {
      return String.format(java.util.Locale.ROOT, "%.1f", callbacksLastHour / 60.0);
    }
  }

  /**
   * How many early callbacks are held and dead, counted up to {@link #CAP} each (the overview's
   * link to the early callbacks view).
   */
  record EarlyCounts(int held, int dead) {
    static final int CAP = 100;

    static String shown(int n) {
      return n >= CAP ? CAP + "+" : Integer.toString(n);
    }
  }

  /** The last hour as an inline SVG bar chart; geometry computed here, numbers only. */
  record Chart(List<Bar> bars, long max, List<Tick> ticks) {
    static final int WIDTH = 1200;
    static final int HEIGHT = 140;
    static final int MINUTES = 60;

    static Chart of(List<ActivityMinute> activity, Instant now) {
      Instant start =
          now.truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
              .minus(Duration.ofMinutes(MINUTES - 1));
      Map<Instant, ActivityMinute> byMinute = new HashMap<>();
      activity.forEach(a -> byMinute.put(a.minute(), a));
      long max = 1;
      for (ActivityMinute a : activity) {
        max = Math.max(max, Math.max(a.submitted(), a.callbacks()));
      }
      int slot = WIDTH / MINUTES;
      List<Bar> bars = new ArrayList<>();
      List<Tick> ticks = new ArrayList<>();
      for (int i = 0; i < MINUTES; i++) {
        Instant minute = start.plus(Duration.ofMinutes(i));
        ActivityMinute a = byMinute.getOrDefault(minute, new ActivityMinute(minute, 0, 0, 0));
        int x = i * slot;
        int hs = height(a.submitted(), max);
        int hc = height(a.callbacks(), max);
        int hf = height(a.failures(), max);
        bars.add(
            new Bar(
                x + 2,
                HEIGHT - hs,
                hs,
                x + 10,
                HEIGHT - hc,
                hc,
                HEIGHT - hf,
                hf,
                Format.minute(minute)
                    + " UTC: "
                    + a.submitted()
                    + " submitted, "
                    + a.callbacks()
                    + " callbacks, "
                    + a.failures()
                    + " failed"));
        if (i % 10 == 0) {
          ticks.add(new Tick(x, Format.minute(minute)));
        }
      }
      return new Chart(bars, max, ticks);
    }

    private static int height(long value, long max) {
      return value == 0 ? 0 : (int) Math.max(2, Math.round((HEIGHT - 4) * (double) value / max));
    }
  }

  record Bar(int sx, int sy, int sh, int cx, int cy, int ch, int fy, int fh, String title) {}

  record Tick(int x, String label) {}

  /** The list's filters as typed, to fill the form again. */
  /**
   * @param q words searched for in the stored requests, answers and callback bodies
   */
  record Filters(
      String status,
      String service,
      String operation,
      String from,
      String to,
      String id,
      String q) {}

  /**
   * One line of the list.
   *
   * @param values the business values that tell it apart ({@link BusinessValues})
   */
  record Row(InvocationRow inv, @Nullable EventRow last, List<BusinessValues.Value> values) {
    /** "applicationNumber A-1001, customerId 7": for a title. */
    String valuesText() {
      return String.join(", ", values.stream().map(v -> v.name() + " " + v.value()).toList());
    }
  }

  /**
   * How the list is ordered, in the store (every page in this order): a column, ascending or
   * descending, then the id.
   *
   * @param base the list's address with its filters, without order or page
   */
  record Sort(InvocationSort order, String base) {
    /** The sortable columns, in the table's order. */
    static final List<InvocationSort.Column> COLUMNS =
        List.of(
            InvocationSort.Column.SERVICE,
            InvocationSort.Column.OPERATION,
            InvocationSort.Column.STATUS,
            InvocationSort.Column.SUBMITTED,
            InvocationSort.Column.DEADLINE);

    /** Times start newest first, text in alphabetical order. */
    static boolean descendingFirst(InvocationSort.Column c) {
      return c == InvocationSort.Column.SUBMITTED || c == InvocationSort.Column.LAST_ACTIVITY;
    }

    Sort on(String base) {
      return new Sort(order, base);
    }

    InvocationSort.Column column() {
      return order.column();
    }

    boolean ascending() {
      return !order.descending();
    }

    /**
     * The link of a column's header: the first page in its order, or in the other direction when it
     * is the order.
     */
    String link(InvocationSort.Column of) {
      boolean desc = of == column() ? ascending() : descendingFirst(of);
      return base
          + (base.contains("?") ? "&" : "?")
          + "sort="
          + of.parameter()
          + "&order="
          + (desc ? "desc" : "asc");
    }

    /** "ascending"/"descending" for the header of the sorting column, "none" for the others. */
    String aria(InvocationSort.Column of) {
      return of != column() ? "none" : ascending() ? "ascending" : "descending";
    }

    /** A column's header. */
    static String label(InvocationSort.Column of) {
      return switch (of) {
        case SUBMITTED -> "Submitted";
        case LAST_ACTIVITY -> "Last event";
        case SERVICE -> "Service";
        case OPERATION -> "Operation";
        case STATUS -> "Status";
        case DEADLINE -> "Deadline";
      };
    }

    /** The arrow after the sorting column's name. */
    String arrow(InvocationSort.Column of) {
      return of != column() ? "" : ascending() ? " ▲" : " ▼";
    }

    /** The parameters to keep in the page's other links ("" for the default order). */
    String query() {
      return order.equals(InvocationSort.NEWEST_FIRST)
          ? ""
          : "sort=" + column().parameter() + "&order=" + order.order();
    }
  }

  record InvocationList(
      Chrome chrome,
      Instant now,
      Filters filters,
      List<Row> rows,
      @Nullable String nextUrl,
      @Nullable String previousUrl,
      @Nullable String firstUrl,
      String selfUrl,
      Sort sort,
      List<String> services,
      List<String> operations,
      @Nullable String message) {}

  /**
   * One node sharing the store, as the nodes view shows it.
   *
   * @param self the node serving this page
   * @param alive its last heartbeat is within the runtime's node timeout
   * @param draining it is leaving (known for this node only; others tell nobody yet)
   * @param leases the callbacks whose lease it holds, each a handler run on its invocation
   */
  record NodeView(
      NodeRow node, boolean self, boolean alive, boolean draining, List<NodeLease> leases) {}

  /**
   * The nodes page.
   *
   * @param orphans leases held by a node that is not registered (any more)
   * @param truncated more leases are held than were read
   */
  record Nodes(
      Chrome chrome,
      Instant now,
      Duration nodeTimeout,
      List<NodeView> nodes,
      List<NodeLease> orphans,
      boolean truncated) {}

  /**
   * A callback that reached a shared address before any invocation held its correlation value, as
   * the early callbacks view and {@code GET /api/early-callbacks} show it: never its headers (a
   * signature) or body, only what tells it apart.
   *
   * @param reason why it waits, or why it is dead
   */
  record EarlyCallbackView(EarlyCallbackRow row, String status, String reason) {
    static final String HELD = "HELD";
    static final String DEAD = "DEAD";

    static EarlyCallbackView of(EarlyCallbackRow e) {
      Instant deadAt = e.deadAt();
      return deadAt != null
          ? new EarlyCallbackView(
              e,
              DEAD,
              "No invocation recorded "
                  + e.key()
                  + "'s correlation value by the end of its hold ("
                  + Format.iso(e.holdUntil())
                  + "); dead since "
                  + Format.iso(deadAt))
          : new EarlyCallbackView(
              e,
              HELD,
              "No invocation has recorded "
                  + e.key()
                  + "'s correlation value yet; held until "
                  + Format.iso(e.holdUntil()));
    }
  }

  /**
   * The early callbacks page: those held for their invocation and those dead, each newest first.
   *
   * @param status the filter: "held", "dead" or "" for both
   * @param truncated a list has more rows than shown
   */
  record EarlyCallbacks(
      Chrome chrome,
      Instant now,
      Duration hold,
      String status,
      List<EarlyCallbackView> held,
      List<EarlyCallbackView> dead,
      boolean truncated,
      @Nullable String flash,
      boolean flashBad) {}

  record Step(EventRow event, String sincePrevious, String sinceStart) {}

  record Detail(
      Chrome chrome,
      Instant now,
      InvocationRow inv,
      List<CallbackRow> callbacks,
      List<Step> steps,
      String selfUrl,
      @Nullable String flash,
      boolean flashBad) {}

  record ServiceView(ServiceDefinition definition, Report report) {}

  record Services(
      Chrome chrome,
      List<ServiceView> services,
      @Nullable Registration result,
      String name,
      String document) {}

  record Login(Chrome chrome, String next, @Nullable String error) {}
}
