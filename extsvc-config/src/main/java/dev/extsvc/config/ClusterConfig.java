package dev.extsvc.config;

import dev.extsvc.runtime.ExternalServices;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How the nodes sharing one PostgreSQL watch each other ({@code cluster} in extsvc.yaml). Null
 * fields keep the runtime's defaults (1 s, 5 s, 2 min, the node timeout).
 *
 * @param heartbeatInterval how often a node says it is alive and looks for dead nodes
 * @param nodeTimeout after how long without a heartbeat a node is dead and its callbacks are taken
 *     over; at least twice the heartbeat interval
 * @param callbackLease how long one handler run holds its invocation between renewals (every third
 *     of it)
 * @param recoveryGrace after how long a stored, unfinished callback that no run holds is taken over
 *     by the periodic poll
 */
public record ClusterConfig(
    @Nullable Duration heartbeatInterval,
    @Nullable Duration nodeTimeout,
    @Nullable Duration callbackLease,
    @Nullable Duration recoveryGrace) {
  public static final ClusterConfig DEFAULTS = new ClusterConfig(null, null, null, null);

  public ClusterConfig {
    positive(heartbeatInterval, "heartbeatInterval");
    positive(nodeTimeout, "nodeTimeout");
    positive(callbackLease, "callbackLease");
    positive(recoveryGrace, "recoveryGrace");
    Duration heartbeat =
        heartbeatInterval != null ? heartbeatInterval : ExternalServices.DEFAULT_HEARTBEAT_INTERVAL;
    Duration timeout = nodeTimeout != null ? nodeTimeout : ExternalServices.DEFAULT_NODE_TIMEOUT;
    if (timeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "nodeTimeout ("
              + Durations.text(timeout)
              + ") must be at least twice heartbeatInterval ("
              + Durations.text(heartbeat)
              + ")");
    }
  }

  private static void positive(@Nullable Duration d, String name) {
    if (d != null && !d.isPositive()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  /** Sets what is set on a runtime builder. */
  public ExternalServices.Builder configure(ExternalServices.Builder b) {
    if (heartbeatInterval != null) {
      b.heartbeatInterval(heartbeatInterval);
    }
    if (nodeTimeout != null) {
      b.nodeTimeout(nodeTimeout);
    }
    if (callbackLease != null) {
      b.callbackLease(callbackLease);
    }
    if (recoveryGrace != null) {
      b.recoveryGrace(recoveryGrace);
    }
    return b;
  }

  /** These settings with those of {@code over} that are set in their place. */
  public ClusterConfig with(ClusterConfig over) {
    return new ClusterConfig(
        over.heartbeatInterval != null ? over.heartbeatInterval : heartbeatInterval,
        over.nodeTimeout != null ? over.nodeTimeout : nodeTimeout,
        over.callbackLease != null ? over.callbackLease : callbackLease,
        over.recoveryGrace != null ? over.recoveryGrace : recoveryGrace);
  }

  /** Durations as the file writes them, in error messages. */
  private static final class Durations {
    static String text(Duration d) {
      return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
  }
}
