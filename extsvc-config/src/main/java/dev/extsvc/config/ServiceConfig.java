package dev.extsvc.config;

import dev.extsvc.runtime.Acknowledgement;
import dev.extsvc.runtime.ServiceSettings;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One service of the file: how it is called (the runtime's own {@link ServiceSettings}), the spec
 * to register at start, and how its callbacks are acknowledged.
 */
public record ServiceConfig(
    ServiceSettings settings, @Nullable Path spec, Acknowledgement acknowledgement) {
  public ServiceConfig {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(acknowledgement, "acknowledgement");
  }

  public String name() {
    return settings.service();
  }
}
