package dev.extsvc.corpus;

import dev.extsvc.spec.Diagnostic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The results of a run as Markdown: totals, refusals by reason, one table per group of documents,
 * and each refused document with its errors. It replaces the generated part of
 * docs/compatibility.md and keeps the hand-written part above the marker.
 */
final class CompatibilityReport {
  static final String MARKER =
      "<!-- Everything below is written by scripts/corpus-check; edit above this line. -->";
  private static final int ERRORS_LISTED = 5;

  /** A titled group of outcomes, such as "Documents with callbacks". */
  record Group(String title, String note, List<Outcome> outcomes) {}

  /** The warm registration of the largest document that registers. */
  record Timing(String name, long bytes, long wallMillis, long cpuMillis) {}

  private CompatibilityReport() {}

  /**
   * The distinct documents of all groups (a document may be in two groups, e.g. largest and
   * sample).
   */
  static List<Outcome> distinct(List<Group> groups) {
    Map<String, Outcome> byName = new LinkedHashMap<>();
    groups.forEach(g -> g.outcomes().forEach(o -> byName.putIfAbsent(o.candidate().name(), o)));
    return new ArrayList<>(byName.values());
  }

  static String totals(List<Outcome> outcomes) {
    long registered = outcomes.stream().filter(Outcome::registered).count();
    long refused = outcomes.stream().filter(o -> o.result() == Outcome.Result.REFUSED).count();
    long generated = outcomes.stream().filter(Outcome::generated).count();
    long compiled = outcomes.stream().filter(o -> o.result() == Outcome.Result.COMPILED).count();
    long notGenerated =
        outcomes.stream().filter(o -> o.result() == Outcome.Result.NOT_GENERATED).count();
    long notCompiled =
        outcomes.stream().filter(o -> o.result() == Outcome.Result.NOT_COMPILED).count();
    long hangs = outcomes.stream().filter(o -> o.result() == Outcome.Result.HANG).count();
    long crashes = outcomes.stream().filter(o -> o.result() == Outcome.Result.CRASH).count();
    return "tried "
        + outcomes.size()
        + ", registered "
        + registered
        + ", refused "
        + refused
        + ", generated "
        + generated
        + " (failed "
        + notGenerated
        + "), compiled "
        + compiled
        + " (failed "
        + notCompiled
        + "), hangs "
        + hangs
        + ", crashes "
        + crashes
        + ", keys awaitable "
        + outcomes.stream().mapToInt(Outcome::awaitableKeys).sum()
        + ", delivered end to end "
        + outcomes.stream().mapToInt(Outcome::deliveredKeys).sum()
        + ", awaitable by correlation with the configured rules "
        + outcomes.stream().mapToInt(Outcome::correlatedKeys).sum();
  }

  static String render(
      String source, List<Group> groups, List<Timing> timings, String environment) {
    List<Outcome> all = distinct(groups);
    StringBuilder md = new StringBuilder();
    md.append("## Latest run\n\n").append(source).append(". ").append(environment).append("\n\n");
    md.append("### Totals\n\n");
    md.append("| | documents |\n|---|---:|\n");
    row(md, "tried", all.size());
    row(md, "registered", all.stream().filter(Outcome::registered).count());
    row(
        md,
        "refused, with a report naming each problem and its location",
        count(all, Outcome.Result.REFUSED));
    row(md, "generated a typed client", all.stream().filter(Outcome::generated).count());
    row(md, "generated code compiled", count(all, Outcome.Result.COMPILED));
    row(md, "registered but generation failed", count(all, Outcome.Result.NOT_GENERATED));
    row(md, "generated but does not compile", count(all, Outcome.Result.NOT_COMPILED));
    row(md, "hangs (over the time limit)", count(all, Outcome.Result.HANG));
    row(md, "crashes", count(all, Outcome.Result.CRASH));
    md.append('\n');
    md.append(
        String.format(
            Locale.ROOT,
            "Callback keys awaitable: %d; delivered end to end: %d.\n\n",
            all.stream().mapToInt(Outcome::awaitableKeys).sum(),
            all.stream().mapToInt(Outcome::deliveredKeys).sum()));
    List<Outcome> correlated = all.stream().filter(o -> o.correlatedKeys() > 0).toList();
    if (!correlated.isEmpty()) {
      md.append(
              String.format(
                  Locale.ROOT,
                  "Keys not awaitable by their URL that become awaitable by correlation with the"
                      + " rules given in configuration (`extsvc-corpus/correlations.yaml`, the"
                      + " `services.NAME.correlation` rules of extsvc.yaml): %d, in %d documents (",
                  correlated.stream().mapToInt(Outcome::correlatedKeys).sum(),
                  correlated.size()))
          .append(
              String.join(
                  ", ",
                  correlated.stream()
                      .map(o -> o.candidate().name() + " " + o.correlatedKeys())
                      .toList()))
          .append(").\n\n");
    }
    Map<String, Integer> reasons = refusalReasons(all);
    if (!reasons.isEmpty()) {
      md.append(
          "Refused, by reason (a document may have several):\n\n| reason | documents |\n|---|---:|\n");
      reasons.forEach((reason, n) -> row(md, reason, n));
      md.append('\n');
    }
    for (Timing t : timings) {
      md.append("Warm registration (the second, after the run) of ")
          .append(t.name())
          .append(" (")
          .append(t.bytes() / 1024)
          .append(" KB, the largest document that registers within the default limits): ")
          .append(t.wallMillis())
          .append(" ms wall clock, ")
          .append(t.cpuMillis())
          .append(" ms CPU.\n\n");
    }
    for (Group g : groups) {
      md.append("### ").append(g.title()).append(" (").append(g.outcomes().size()).append(")\n\n");
      if (!g.note().isEmpty()) {
        md.append(g.note()).append("\n\n");
      }
      md.append(
          "| spec | operations | async operations | callback keys | keys awaitable | delivered end to end"
              + " | warnings | result | time |\n");
      md.append("|---|---:|---:|---:|---:|---:|---:|---|---|\n");
      for (Outcome o : g.outcomes()) {
        md.append("| ")
            .append(cell(o.candidate().name()))
            .append(" | ")
            .append(o.registered() ? o.operations() : "")
            .append(" | ")
            .append(o.registered() ? o.asyncOperations() : "")
            .append(" | ")
            .append(o.registered() ? o.callbackKeys() : "")
            .append(" | ")
            .append(o.registered() ? o.awaitableKeys() : "")
            .append(" | ")
            .append(o.registered() ? o.deliveredKeys() : "")
            .append(" | ")
            .append(o.warnings())
            .append(" | ")
            .append(cell(result(o)))
            .append(" | ")
            .append(time(o))
            .append(" |\n");
      }
      md.append('\n');
    }
    List<Outcome> undelivered = all.stream().filter(o -> !o.allDelivered()).toList();
    if (!undelivered.isEmpty()) {
      md.append("### Awaitable keys not delivered end to end, and why\n\n");
      for (Outcome o : undelivered) {
        md.append("- **").append(o.candidate().name()).append("**");
        for (String f : o.deliveryFailures()) {
          md.append("\n  - ").append(cell(shorten(f, 400)));
        }
        md.append('\n');
      }
      md.append('\n');
    }
    List<Outcome> refused = all.stream().filter(o -> o.result() == Outcome.Result.REFUSED).toList();
    if (!refused.isEmpty()) {
      md.append("### Refused documents and why\n\n");
      for (Outcome o : refused) {
        md.append("- **").append(o.candidate().name()).append("**");
        List<Diagnostic> errors = o.errors();
        for (Diagnostic d : errors.subList(0, Math.min(ERRORS_LISTED, errors.size()))) {
          md.append("\n  - ").append(cell(d.toString()));
        }
        if (errors.size() > ERRORS_LISTED) {
          md.append("\n  - … and ").append(errors.size() - ERRORS_LISTED).append(" more");
        }
        md.append('\n');
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** Documents refused for each reason, most common first. */
  static Map<String, Integer> refusalReasons(List<Outcome> outcomes) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Outcome o : outcomes) {
      Set<String> reasons = new LinkedHashSet<>();
      o.errors().forEach(d -> reasons.add(reason(d)));
      reasons.forEach(r -> counts.merge(r, 1, Integer::sum));
    }
    Map<String, Integer> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /** A reason class for a registration error, for the totals. */
  static String reason(Diagnostic d) {
    String m = d.message();
    if (m.startsWith("document is ") && m.contains("the limit for")) {
      return "larger than the size limit (10 MB JSON, 3 MB YAML by default)";
    }
    if (m.contains("nodes when their $refs are inlined")) {
      return "schemas multiply past the inlining limit (2,000,000 nodes)";
    }
    if (m.contains("JSON pointers separate levels with '/'")) {
      return "dotted JSON pointer in a callback expression";
    }
    if (m.startsWith("$ref")) {
      return "a $ref that does not resolve";
    }
    if (m.startsWith("malformed")) {
      return "malformed JSON or YAML";
    }
    if (m.contains("operationId")) {
      return "repeated operationId";
    }
    if (m.matches(".* is (missing|not of type|repeated|unexpected).*")) {
      return "structurally invalid (swagger-parser): "
          + m.replaceFirst(".* (is (missing|not of type|repeated|unexpected)).*", "$1");
    }
    if (m.startsWith("extsvc failed")) {
      return "internal error (a bug)";
    }
    return "other";
  }

  static String result(Outcome o) {
    return switch (o.result()) {
      case COMPILED -> "compiled (" + o.generatedFiles() + " files)";
      case REFUSED ->
          "refused: "
              + String.join(
                  "; ",
                  new LinkedHashSet<>(
                      o.errors().stream().map(CompatibilityReport::reason).toList()));
      default -> o.result().label + ": " + shorten(o.detail(), 200);
    };
  }

  private static String time(Outcome o) {
    StringBuilder t = new StringBuilder("register ").append(millis(o.registerMillis()));
    if (o.registered() && o.generateMillis() > 0) {
      t.append(", generate ").append(millis(o.generateMillis()));
    }
    if (o.compileMillis() > 0) {
      t.append(", compile ").append(millis(o.compileMillis()));
    }
    return t.toString();
  }

  private static String millis(long ms) {
    return ms < 10_000 ? ms + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  private static long count(List<Outcome> all, Outcome.Result result) {
    return all.stream().filter(o -> o.result() == result).count();
  }

  private static void row(StringBuilder md, String label, long n) {
    md.append("| ").append(label).append(" | ").append(n).append(" |\n");
  }

  /** Text safe inside a table cell. */
  static String cell(String text) {
    return text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r", " ")
        .replace("\n", " ")
        .replace("<", "&lt;");
  }

  private static String shorten(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }

  /**
   * Replaces the generated part of {@code doc}, keeping what is above the marker (or a default
   * heading).
   */
  static void writeInto(Path doc, String generated) throws IOException {
    String head = "# Compatibility with real-world OpenAPI documents\n\n";
    if (Files.exists(doc)) {
      String existing = Files.readString(doc, StandardCharsets.UTF_8);
      int at = existing.indexOf(MARKER);
      head = at >= 0 ? existing.substring(0, at) : existing.stripTrailing() + "\n\n";
    }
    Files.createDirectories(doc.toAbsolutePath().getParent());
    Files.writeString(doc, head + MARKER + "\n\n" + generated, StandardCharsets.UTF_8);
  }
}
