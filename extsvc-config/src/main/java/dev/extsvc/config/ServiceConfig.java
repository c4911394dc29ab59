package dev.extsvc.config;

import dev.extsvc.runtime.Acknowledgement;
import dev.extsvc.runtime.CallbackSignature;
import dev.extsvc.runtime.ServiceSettings;
import dev.extsvc.spec.CorrelationRule;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One service of the file: how it is called (the runtime's own {@link ServiceSettings}), the spec
 * to register at start, how its callbacks are acknowledged, the correlation rules of keys it awaits
 * at its shared address and how its callbacks are signed.
 */
public record ServiceConfig(
    ServiceSettings settings,
    @Nullable Path spec,
    Acknowledgement acknowledgement,
    List<CorrelationRule> correlations,
    @Nullable CallbackSignature callbackSignature) {
  public ServiceConfig {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(acknowledgement, "acknowledgement");
    correlations = List.copyOf(correlations);
    if (!correlations.isEmpty() && callbackSignature == null) {
      throw new IllegalArgumentException(
          "correlation needs a callbackSignature: callbacks awaited by correlation arrive at the"
              + " service's shared address, which carries no secret");
    }
  }

  /** A service without correlation rules or a callback signature. */
  public ServiceConfig(
      ServiceSettings settings, @Nullable Path spec, Acknowledgement acknowledgement) {
    this(settings, spec, acknowledgement, List.of(), null);
  }

  public String name() {
    return settings.service();
  }
}
