package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.RequestParts;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Lets a test or demo decide what a callback carries, e.g. an approved amount computed from the
 * application. Without it, or when it returns null, the mock sends the callback's example or a
 * value made from its schema.
 */
@FunctionalInterface
public interface CallbackPayloads {

  /**
   * The body to send for callback {@code key}, or null for the default.
   *
   * @param request the operation request that caused the callback (a copy: changing it has no
   *     effect)
   */
  @Nullable JsonNode payload(String key, CallbackDefinition definition, RequestParts request);

  /**
   * Header values to send, e.g. the callback's declared header parameters; missing declared ones
   * are made up.
   */
  default Map<String, String> headers(
      String key, CallbackDefinition definition, RequestParts request) {
    return Map.of();
  }
}
