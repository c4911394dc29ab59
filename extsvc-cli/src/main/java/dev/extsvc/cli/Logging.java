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
  /**
   * Helidon logs through java.util.logging, whose level the server keeps at WARNING unless set:
   * held here so that the level set below is not lost with a collected logger.
   */
  private static final java.util.logging.Logger HELIDON_JUL =
      java.util.logging.Logger.getLogger("io.helidon");

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
    HELIDON_JUL.setLevel(java.util.logging.Level.INFO);
  }
}
