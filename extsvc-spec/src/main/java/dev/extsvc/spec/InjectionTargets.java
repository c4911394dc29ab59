package dev.extsvc.spec;

import org.jspecify.annotations.Nullable;

/** Body injection and target identifiers. TODO(spec helper): implement. */
final class InjectionTargets {
  private InjectionTargets() {}

  static InjectionTarget fromId(String id) {
    throw new UnsupportedOperationException("not yet");
  }

  static void injectBody(RequestParts request, String pointer, String value) {
    throw new UnsupportedOperationException("not yet");
  }

  static @Nullable String readBody(RequestParts request, String pointer) {
    throw new UnsupportedOperationException("not yet");
  }
}
