package dev.extsvc.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a bad {@code extsvc.*} setting into Boot's short start-up report instead of a stack trace.
 */
final class ExtsvcFailureAnalyzer extends AbstractFailureAnalyzer<ExtsvcConfigException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ExtsvcConfigException cause) {
    return new FailureAnalysis(
        "extsvc is misconfigured: " + cause.getMessage(),
        "Correct '"
            + cause.property()
            + "' in the application's configuration (application.yaml, the"
            + " environment or the command line).",
        cause);
  }
}
