package dev.extsvc.cli;

import io.helidon.logging.common.spi.LoggingProvider;

/**
 * Tells Helidon that logging is configured (by logback, through the JUL bridge Main installs), so
 * it does not print "There is no Helidon logging implementation on classpath" at every start. Found
 * through META-INF/services/io.helidon.logging.common.spi.LoggingProvider.
 */
public final class HelidonLogging implements LoggingProvider {
  /** For the service loader. */
  public HelidonLogging() {}

  @Override
  public void initialization() {
    // logback.xml is the configuration
  }

  @Override
  public void runTime() {
    // nothing to redo at run time: no native image
  }
}
