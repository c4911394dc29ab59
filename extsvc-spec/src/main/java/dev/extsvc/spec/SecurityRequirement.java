package dev.extsvc.spec;

import java.util.List;

/**
 * One alternative of an operation's {@code security}: every scheme named here is needed together.
 * An empty requirement means the operation may also be called without credentials.
 */
public record SecurityRequirement(List<SecurityScheme> schemes) {
  public SecurityRequirement {
    schemes = List.copyOf(schemes);
  }

  public boolean anonymous() {
    return schemes.isEmpty();
  }
}
