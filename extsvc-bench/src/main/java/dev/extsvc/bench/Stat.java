package dev.extsvc.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One figure over repeated runs: the median, with the smallest and largest run as its spread. */
record Stat(double median, double min, double max, int runs) {

  /**
   * {@code map.get(key)} for a key the harness has put there itself; a missing one is a bug in the
   * harness.
   */
  static <K, V> V known(Map<K, V> map, K key) {
    V value = map.get(key);
    if (value == null) {
      throw new IllegalStateException("no figure for " + key);
    }
    return value;
  }

  static Stat of(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    double median =
        n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    return new Stat(median, sorted.get(0), sorted.get(n - 1), n);
  }

  /** "1,234 (1,100–1,300)"; a single run shows no range. */
  String format(int decimals) {
    String m = number(median, decimals);
    return runs == 1 ? m : m + " (" + number(min, decimals) + "–" + number(max, decimals) + ")";
  }

  static String number(double value, int decimals) {
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }
}
