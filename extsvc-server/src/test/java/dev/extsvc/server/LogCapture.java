package dev.extsvc.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Everything every logger says while it is open, at every level (TRACE included; the JDK's loggers
 * through jul-to-slf4j at ALL), rendered with message, arguments, MDC, markers and full stack
 * traces; the levels are put back on close.
 */
final class LogCapture implements AutoCloseable {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Map<Logger, Level> levels = new HashMap<>();
  private final Map<java.util.logging.Logger, java.util.logging.Level> julLevels = new HashMap<>();
  private final List<String> lines = new ArrayList<>();
  private final PatternLayout layout = new PatternLayout();
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          StringBuilder line = new StringBuilder(layout.doLayout(event));
          Object[] args = event.getArgumentArray();
          if (args != null) {
            for (Object a : args) {
              line.append(" arg=").append(a);
            }
          }
          synchronized (lines) {
            lines.add(line.toString());
          }
        }
      };

  LogCapture() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    layout.setContext(context);
    layout.setPattern("%d %level [%thread] %logger %marker %mdc - %msg%n%ex{full}");
    layout.start();
    appender.setContext(context);
    appender.setName("log-capture");
    appender.start();
    for (Logger l : context.getLoggerList()) {
      levels.put(l, l.getLevel());
      if (l != root()) {
        l.setLevel(null); // inherit the root's TRACE
      }
    }
    root().setLevel(Level.TRACE);
    root().addAppender(appender);
    java.util.logging.LogManager jul = java.util.logging.LogManager.getLogManager();
    for (String name : java.util.Collections.list(jul.getLoggerNames())) {
      java.util.logging.Logger l = jul.getLogger(name);
      if (l != null) {
        julLevels.put(l, l.getLevel());
        l.setLevel(name.isEmpty() ? java.util.logging.Level.ALL : null);
      }
    }
  }

  private Logger root() {
    return context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /** All lines so far. */
  String text() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  int events() {
    synchronized (lines) {
      return lines.size();
    }
  }

  @Override
  public void close() {
    root().detachAppender(appender);
    appender.stop();
    levels.forEach(Logger::setLevel);
    julLevels.forEach(java.util.logging.Logger::setLevel);
  }
}
