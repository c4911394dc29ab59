package dev.extsvc.config;

import dev.extsvc.runtime.ExternalServices;
import java.util.List;

/**
 * Which stored handler types any node may re-create ({@code handlers} in extsvc.yaml). On a cluster
 * a callback reaches a node that may never have invoked with its handler's type: without these, it
 * is refused there.
 *
 * @param allowedTypes binary class names, such as {@code com.example.LoanHandler}
 * @param allowedPackages packages whose types (sub-packages included) are allowed
 */
public record HandlersConfig(List<String> allowedTypes, List<String> allowedPackages) {
  public static final HandlersConfig NONE = new HandlersConfig(List.of(), List.of());

  public HandlersConfig {
    allowedTypes = List.copyOf(allowedTypes);
    allowedPackages = List.copyOf(allowedPackages);
    ExternalServices.Builder check = ExternalServices.builder();
    allowedTypes.forEach(
        check::allowHandlerType); // the runtime's own rule: what it refuses, so do we
    for (String p : allowedPackages) {
      if (!p.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
        throw new IllegalArgumentException(
            "a handler package is a package name such as com.example.handlers, was '" + p + "'");
      }
    }
  }

  /** Allows the types and packages on a runtime builder. */
  void configure(ExternalServices.Builder b) {
    allowedTypes.forEach(b::allowHandlerType);
    allowedPackages.forEach(b::allowHandlerPackage);
  }
}
