package dev.extsvc.runtime.invoke;

import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.ServiceSettings;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The runtime's default and maximum callback timeouts, which a service's settings may override.
 *
 * @param defaultTimeout used when neither the caller nor the service asks for one
 * @param maxTimeout no invocation waits longer, unless its service allows it
 */
record CallbackTimeouts(Duration defaultTimeout, Duration maxTimeout) {
  CallbackTimeouts {
    if (defaultTimeout.compareTo(maxTimeout) > 0) {
      throw new IllegalArgumentException("defaultCallbackTimeout exceeds maxCallbackTimeout");
    }
  }

  /**
   * The requested timeout, else the service's default, else the runtime's; never above the
   * service's maximum.
   */
  Duration resolve(@Nullable Duration requested, @Nullable ServiceSettings service) {
    Duration fallback =
        service != null && service.defaultCallbackTimeout() != null
            ? service.defaultCallbackTimeout()
            : defaultTimeout;
    Duration max =
        service != null && service.maxCallbackTimeout() != null
            ? service.maxCallbackTimeout()
            : maxTimeout;
    Duration t = requested == null ? fallback : requested;
    if (t.isNegative() || t.isZero()) {
      throw new ExtsvcException("callback timeout must be positive, was " + t);
    }
    if (t.compareTo(max) > 0) {
      throw new ExtsvcException(
          "callback timeout "
              + t
              + " exceeds the maximum "
              + max
              + (service == null ? "" : " of service " + service.service()));
    }
    return t;
  }
}
