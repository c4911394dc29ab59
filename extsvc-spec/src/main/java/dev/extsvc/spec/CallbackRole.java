package dev.extsvc.spec;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a callback key's callbacks do to their invocation: a final key's callback completes it; a
 * progress key's callbacks run the handler and leave it PENDING; a heartbeat key (a progress key)
 * also moves its deadline to the time of arrival plus {@code heartbeat}. Declared with the
 * extensions {@code x-extsvc-final: false} and {@code x-extsvc-heartbeat: PT1H} on the Callback
 * Object, or configured per service, operation and key.
 *
 * @param finalKey whether a handled callback of the key completes the invocation
 * @param heartbeat how far each callback of the key moves the deadline from its arrival; null when
 *     it does not move it
 */
public record CallbackRole(boolean finalKey, @Nullable Duration heartbeat) {
  /** What a key is unless declared otherwise: its callback completes the invocation. */
  public static final CallbackRole FINAL = new CallbackRole(true, null);

  /** A progress key that does not move the deadline. */
  public static final CallbackRole PROGRESS = new CallbackRole(false, null);

  public CallbackRole {
    if (heartbeat != null) {
      if (heartbeat.isNegative() || heartbeat.isZero()) {
        throw new IllegalArgumentException("a heartbeat must be positive, was " + heartbeat);
      }
      if (finalKey) {
        throw new IllegalArgumentException(
            "a heartbeat key is a progress key: its callbacks cannot complete the invocation");
      }
    }
  }

  /**
   * A progress key each of whose callbacks moves the deadline to its arrival plus {@code every}.
   */
  public static CallbackRole heartbeat(Duration every) {
    return new CallbackRole(false, every);
  }

  /** How the key reads in a report: "final", "progress" or "heartbeat PT1H". */
  public String describe() {
    if (heartbeat != null) {
      return "heartbeat " + heartbeat;
    }
    return finalKey ? "final" : "progress";
  }
}
