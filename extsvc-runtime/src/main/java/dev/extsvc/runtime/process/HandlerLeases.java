package dev.extsvc.runtime.process;

import dev.extsvc.runtime.HandlerLease;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Where {@link HandlerLease#current()} finds the run on the calling thread. Not an API. */
public final class HandlerLeases {
  private static final ThreadLocal<HandlerLease> CURRENT = new ThreadLocal<>();

  /** Outside a run: always held. */
  private static final HandlerLease NONE =
      new HandlerLease() {
        @Override
        public boolean held() {
          return true;
        }

        @Override
        public long fence() {
          return 0;
        }

        @Override
        public @Nullable UUID invocationId() {
          return null;
        }
      };

  private HandlerLeases() {}

  /** The run's lease on the calling thread, or one always held. */
  public static HandlerLease current() {
    HandlerLease lease = CURRENT.get();
    return lease != null ? lease : NONE;
  }

  static void set(HandlerLease lease) {
    CURRENT.set(lease);
  }

  static void clear() {
    CURRENT.remove();
  }
}
