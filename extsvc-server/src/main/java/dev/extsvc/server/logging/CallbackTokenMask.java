package dev.extsvc.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.slf4j.ILoggerFactory;
import org.slf4j.Marker;

/**
 * A Logback {@link TurboFilter} that keeps callback tokens out of every appender: an event whose
 * message, any argument or any exception message (causes and suppressed included) holds {@code
 * CALLBACK_PATH/TOKEN} is logged again with {@link LogMask#mask} applied to each of them, and the
 * original is dropped. It sees every event of every logger before any appender does: ours,
 * Helidon's and the JDK's (through jul-to-slf4j), at every level.
 *
 * <p>In logback.xml: {@code <turboFilter class="dev.extsvc.server.logging.CallbackTokenMask"/>},
 * optionally with {@code <callbackPath>/hooks</callbackPath>}; {@code ExtsvcServer.start()} also
 * installs it when none is configured. Place it first: the turbo filters after it do not see the
 * events it re-logs. An event it re-logs keeps its logger, level, marker, thread and MDC; the
 * caller data (%caller, %line) of such an event is not the original caller's.
 */
public final class CallbackTokenMask extends TurboFilter {
  private static final String FQCN = Logger.class.getName();

  // Set while this filter logs the masked copy: that copy passes untouched.
  private static final ThreadLocal<Boolean> RELOGGING = ThreadLocal.withInitial(() -> false);

  /** Also masks tokens under this path (the server adds its own when it starts). */
  public void setCallbackPath(String callbackPath) {
    LogMask.addPath(callbackPath); // Logback is configuring itself: this filter is being installed
  }

  @Override
  public FilterReply decide(
      @Nullable Marker marker,
      Logger logger,
      Level level,
      @Nullable String format,
      Object @Nullable [] params,
      @Nullable Throwable t) {
    if (format == null || RELOGGING.get() || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL; // a level check, a copy of ours, or an event Logback drops
    }
    Object[] args = params == null ? new Object[0] : params;
    Throwable thrown = t;
    if (thrown == null && args.length > 0 && args[args.length - 1] instanceof Throwable last) {
      thrown = last; // SLF4J's convention, as Logback's own event reads it
      args = Arrays.copyOf(args, args.length - 1);
    }
    boolean touched = LogMask.touches(format) || thrownTouches(thrown);
    String[] texts = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      if (args[i] != null && !(args[i] instanceof Number) && !(args[i] instanceof Boolean)) {
        texts[i] = String.valueOf(args[i]);
        touched |= LogMask.touches(texts[i]);
      }
    }
    if (!touched) {
      return FilterReply.NEUTRAL;
    }
    Object[] masked = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      masked[i] = texts[i] != null && LogMask.touches(texts[i]) ? LogMask.mask(texts[i]) : args[i];
    }
    LoggingEvent event = new LoggingEvent(FQCN, logger, level, LogMask.mask(format), null, masked);
    if (marker != null) {
      event.addMarker(marker);
    }
    if (thrown != null) {
      event.setThrowableProxy(new MaskedThrowableProxy(thrown));
    }
    RELOGGING.set(true);
    try {
      logger.callAppenders(event);
    } finally {
      RELOGGING.set(false);
    }
    return FilterReply.DENY; // the unmasked original goes nowhere
  }

  private static boolean thrownTouches(@Nullable Throwable t) {
    // causes and suppressed, bounded: a cycle must not hang the logging thread
    java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
    java.util.Set<Throwable> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    if (t != null) {
      todo.add(t);
    }
    while (!todo.isEmpty() && seen.size() < 64) {
      Throwable x = todo.poll();
      if (!seen.add(x)) {
        continue;
      }
      String m = x.getMessage();
      if ((m != null && LogMask.touches(m)) || LogMask.touches(x.toString())) {
        return true;
      }
      if (x.getCause() != null) {
        todo.add(x.getCause());
      }
      todo.addAll(Arrays.asList(x.getSuppressed()));
    }
    return false;
  }

  /** Adds a started mask at the head of the context's turbo filters unless one is there. */
  static void installInto(ILoggerFactory factory) {
    LoggerContext context = (LoggerContext) factory;
    synchronized (context) {
      if (context.getTurboFilterList().stream().anyMatch(f -> f instanceof CallbackTokenMask)) {
        return;
      }
      CallbackTokenMask mask = new CallbackTokenMask();
      mask.setContext(context);
      mask.setName("extsvc-callback-token-mask");
      mask.start();
      context.getTurboFilterList().add(0, mask);
    }
  }
}
