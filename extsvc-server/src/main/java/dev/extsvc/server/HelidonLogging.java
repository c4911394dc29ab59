package dev.extsvc.server;

import io.helidon.logging.common.spi.LoggingProvider;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Helidon's logging for any program running {@link ExtsvcServer} (the CLI, an embedding
 * application): its java.util.logging records go to SLF4J, where the application's configuration
 * decides, and Helidon prints no "There is no Helidon logging implementation on classpath" notice.
 * Found through META-INF/services/io.helidon.logging.common.spi.LoggingProvider.
 */
public final class HelidonLogging implements LoggingProvider {
  /**
   * Helidon's own start lines (features, sockets, channels) are for Helidon's developers: an
   * application at INFO sees extsvc's one start line instead. Held here because java.util.logging
   * keeps loggers weakly, and a collected logger would forget its level.
   */
  private static final Logger HELIDON = Logger.getLogger("io.helidon");

  /** For the service loader. */
  public HelidonLogging() {}

  @Override
  public void initialization() {
    install();
  }

  @Override
  public void runTime() {
    // nothing to redo at run time: no native image
  }

  /**
   * Routes java.util.logging to SLF4J (once) and quiets Helidon's INFO, unless the application gave
   * the io.helidon logger a level of its own.
   */
  static void install() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    synchronized (HELIDON) {
      if (HELIDON.getLevel() == null) {
        HELIDON.setLevel(Level.WARNING);
      }
    }
  }
}
