package dev.extsvc.server.logging;

import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import org.jspecify.annotations.Nullable;

/**
 * An exception as Logback prints it, with {@link LogMask} applied to its message and to those of
 * its causes and suppressed exceptions; class names and stack frames stay as they are. (A subclass:
 * Logback's event takes a {@link ThrowableProxy}, not the interface.)
 */
final class MaskedThrowableProxy extends ThrowableProxy {
  private final @Nullable IThrowableProxy cause;
  private final IThrowableProxy[] suppressed;

  MaskedThrowableProxy(Throwable thrown) {
    super(thrown);
    IThrowableProxy c = super.getCause();
    this.cause = c == null ? null : new Masked(c);
    this.suppressed = Masked.all(super.getSuppressed());
  }

  @Override
  public @Nullable String getMessage() {
    return maskOrNull(super.getMessage());
  }

  @Override
  public @Nullable String getOverridingMessage() {
    return maskOrNull(super.getOverridingMessage());
  }

  @Override
  public @Nullable IThrowableProxy getCause() {
    return cause;
  }

  @Override
  public IThrowableProxy[] getSuppressed() {
    return suppressed.clone();
  }

  private static @Nullable String maskOrNull(@Nullable String s) {
    return s == null ? null : LogMask.mask(s);
  }

  /** A cause or suppressed exception, masked the same way. */
  private static final class Masked implements IThrowableProxy {
    private final IThrowableProxy original;
    private final @Nullable IThrowableProxy cause;
    private final IThrowableProxy[] suppressed;

    Masked(IThrowableProxy original) {
      this.original = original;
      IThrowableProxy c = original.getCause();
      this.cause = c == null ? null : new Masked(c);
      this.suppressed = all(original.getSuppressed());
    }

    static IThrowableProxy[] all(IThrowableProxy @Nullable [] proxies) {
      if (proxies == null) {
        return new IThrowableProxy[0];
      }
      IThrowableProxy[] out = new IThrowableProxy[proxies.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = new Masked(proxies[i]);
      }
      return out;
    }

    @Override
    public @Nullable String getMessage() {
      return maskOrNull(original.getMessage());
    }

    @Override
    public @Nullable String getOverridingMessage() {
      return maskOrNull(original.getOverridingMessage());
    }

    @Override
    public String getClassName() {
      return original.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return original.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return original.getCommonFrames();
    }

    @Override
    public @Nullable IThrowableProxy getCause() {
      return cause;
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      return suppressed.clone();
    }

    @Override
    public boolean isCyclic() {
      return original.isCyclic();
    }
  }
}
