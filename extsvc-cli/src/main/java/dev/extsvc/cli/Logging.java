package dev.extsvc.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log levels of long-running commands: quiet by default (the command prints its own one-line
 * start; the log shows warnings and errors), {@code --verbose} for extsvc's INFO and DEBUG lines
 * and the HTTP server's INFO.
 */
final class Logging {
  private Logging() {}

  static void verbose(boolean verbose) {
    if (!verbose) {
      return; // logback.xml's levels stand, EXTSVC_LOG_LEVEL included
    }
    if (LoggerFactory.getLogger("dev.extsvc") instanceof Logger extsvc) {
      extsvc.setLevel(Level.DEBUG);
    }
    if (LoggerFactory.getLogger("io.helidon") instanceof Logger helidon) {
      helidon.setLevel(Level.INFO);
    }
  }
}
