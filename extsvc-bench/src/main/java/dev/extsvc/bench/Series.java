package dev.extsvc.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The load results of one subject (an endpoint on a store, a bare server) over the repeated runs.
 */
final class Series {
  final String name;
  private final List<LoadGenerator.Result> results = new ArrayList<>();

  Series(String name) {
    this.name = name;
  }

  void add(LoadGenerator.Result result) {
    results.add(result);
  }

  boolean isEmpty() {
    return results.isEmpty();
  }

  Stat perSecond() {
    return Stat.of(results.stream().map(LoadGenerator.Result::perSecond).toList());
  }

  Stat millisAt(double percentile) {
    return Stat.of(results.stream().map(r -> r.millisAt(percentile)).toList());
  }
}
