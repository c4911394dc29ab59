package dev.extsvc.spec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Collects the diagnostics of one registration; lines are filled in from the source map at the end.
 */
final class Findings {
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  private @Nullable SourceMap sourceMap;

  void error(String pointer, String message) {
    diagnostics.add(Diagnostic.error(pointer, message));
  }

  void warning(String pointer, String message) {
    diagnostics.add(Diagnostic.warning(pointer, message));
  }

  void add(Diagnostic diagnostic) {
    diagnostics.add(diagnostic);
  }

  /** Takes back the findings that a later step shows were not problems after all. */
  void removeIf(java.util.function.Predicate<Diagnostic> withdrawn) {
    diagnostics.removeIf(withdrawn);
  }

  void locate(SourceMap map) {
    this.sourceMap = map;
  }

  boolean hasErrors() {
    return diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR);
  }

  /** The report in document order, each finding once. */
  Report report() {
    List<String> unlocated =
        diagnostics.stream().filter(d -> d.line() == 0).map(Diagnostic::pointer).toList();
    Map<String, Integer> lines =
        sourceMap == null || unlocated.isEmpty() ? Map.of() : sourceMap.lines(unlocated);
    List<Diagnostic> located = new ArrayList<>();
    for (Diagnostic d : diagnostics) {
      located.add(
          d.line() == 0 && lines.containsKey(d.pointer()) ? d.atLine(lines.get(d.pointer())) : d);
    }
    // several paths can lead to the same finding (a callback reached from two operations, say)
    List<Diagnostic> unique = new ArrayList<>(new LinkedHashSet<>(located));
    unique.sort(Comparator.comparingInt(Diagnostic::line));
    return new Report(unique);
  }
}
