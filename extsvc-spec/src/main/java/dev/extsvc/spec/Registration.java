package dev.extsvc.spec;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of registering one document: the service when it has no errors, and always the
 * report.
 */
public record Registration(@Nullable ServiceDefinition service, Report report) {
  public Registration {
    if (service == null && !report.hasErrors()) {
      throw new IllegalArgumentException("a refused registration must report an error");
    }
    if (service != null && report.hasErrors()) {
      throw new IllegalArgumentException("a registration with errors has no service");
    }
  }

  public boolean ok() {
    return service != null;
  }

  public Optional<ServiceDefinition> serviceIfOk() {
    return Optional.ofNullable(service);
  }
}
