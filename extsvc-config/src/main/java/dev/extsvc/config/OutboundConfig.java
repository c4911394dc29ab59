package dev.extsvc.config;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Rules for every callout.
 *
 * @param allowPrivateNetworks let callouts reach loopback and private addresses (off: refused after
 *     resolution)
 * @param allowAddresses address blocks always allowed, such as "10.20.0.0/16"
 * @param allowSpecServers call a service without an endpoint at its spec's first server URL
 * @param totalTimeout the default total timeout of a callout; null for the runtime's (120 s)
 */
public record OutboundConfig(
    boolean allowPrivateNetworks,
    List<String> allowAddresses,
    boolean allowSpecServers,
    @Nullable Duration totalTimeout) {

  public static final OutboundConfig DEFAULTS = new OutboundConfig(false, List.of(), false, null);

  public OutboundConfig {
    allowAddresses = List.copyOf(allowAddresses);
    if (totalTimeout != null && (totalTimeout.isNegative() || totalTimeout.isZero())) {
      throw new IllegalArgumentException("totalTimeout must be positive");
    }
  }
}
