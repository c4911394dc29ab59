package dev.extsvc.bench;

import dev.extsvc.runtime.store.InvocationQuery;
import dev.extsvc.store.jdbc.JdbcStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Search over many invocations on one store (issue 20): bulk-load the waiting rows (their requests
 * and answers indexed as the store indexes them), then time the console's first page of each of
 * {@link ListQueries#searches} through the store, warm, and keep the database's plan of each.
 */
final class Search {
  /** Timed runs of each query, after one untimed run of all of them. */
  static final int REPEATS = 7;

  /** The figures of one store: per query its milliseconds, rows and plan. */
  record Figures(
      int invocations,
      double loadSeconds,
      Map<String, Stat> millis,
      Map<String, Integer> rows,
      Map<String, List<String>> plans) {}

  private Search() {}

  static Figures measure(Settings settings, Databases databases, StoreKind kind) {
    Databases.Fresh db = databases.fresh(kind);
    WaitingRows rows =
        new WaitingRows(settings.pending(), settings.sweep(), settings.runs(), Instant.now());
    long t0 = System.nanoTime();
    BulkLoader.load(db, rows);
    double loadSeconds = (System.nanoTime() - t0) / 1e9;
    Map<String, InvocationQuery> queries = ListQueries.searches(true);
    Map<String, List<Double>> times = new LinkedHashMap<>();
    Map<String, Integer> found = new LinkedHashMap<>();
    Map<String, List<String>> plans = new LinkedHashMap<>();
    try (JdbcStore store = db.openStore()) {
      queries.forEach(
          (name, q) -> {
            found.put(name, store.invocationPage(q).rows().size());
            plans.put(name, store.explainInvocationPage(q));
            times.put(name, new ArrayList<>());
          });
      // Interleaved, so that a change in the machine's load falls on every query alike.
      for (int r = 0; r < REPEATS; r++) {
        queries.forEach(
            (name, q) -> {
              long start = System.nanoTime();
              store.invocationPage(q);
              Stat.known(times, name).add((System.nanoTime() - start) / 1e6);
            });
      }
    }
    Map<String, Stat> millis = new LinkedHashMap<>();
    times.forEach((name, t) -> millis.put(name, Stat.of(t)));
    return new Figures(settings.pending(), loadSeconds, millis, found, plans);
  }
}
