package dev.extsvc.spec;

import java.util.List;

/**
 * The warning that a callback may carry no data (its body not required) is expected of most small
 * test specs; tests about other findings look past it with {@link #besides(Report)}.
 */
final class NoDataWarnings {
  static final String MARK = "may carry no data";

  private NoDataWarnings() {}

  /** Every finding of the report but the warnings that a callback may carry no data. */
  static List<Diagnostic> besides(Report report) {
    return report.diagnostics().stream().filter(d -> !d.message().contains(MARK)).toList();
  }

  /** Only those warnings. */
  static List<Diagnostic> only(Report report) {
    return report.diagnostics().stream().filter(d -> d.message().contains(MARK)).toList();
  }
}
