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
    List<Diagnostic> kept = new ArrayList<>(diagnostics.size());
    for (int i = 0; i < diagnostics.size(); i++) {
      Diagnostic d = diagnostics.get(i);
      if (!withdrawn.test(d)) {
        kept.add(d);
        continue;
      }
      for (Slot slot : slots) {
        if (slot.position > kept.size()) {
          slot.position--; // a slot stays between the same findings
        }
      }
    }
    diagnostics.clear();
    diagnostics.addAll(kept);
  }

  /**
   * A place among the findings for those of a step that finishes later (on another thread): they
   * are reported as if the step had run here.
   */
  static final class Slot {
    private int position;

    private Slot(int position) {
      this.position = position;
    }
  }

  private final List<Slot> slots = new ArrayList<>();

  /** Keeps the current place for findings that come later ({@link #fill}). */
  Slot reserve() {
    Slot slot = new Slot(diagnostics.size());
    slots.add(slot);
    return slot;
  }

  /** Puts the findings of a later step where its slot was reserved. */
  void fill(Slot slot, Findings later) {
    slots.remove(slot);
    diagnostics.addAll(slot.position, later.diagnostics);
    for (Slot other : slots) {
      if (other.position >= slot.position) {
        other.position += later.diagnostics.size();
      }
    }
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
