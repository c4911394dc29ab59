package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.RequestParts;
import org.jspecify.annotations.Nullable;

/** Lets a test or demo choose the body of a callback; null falls back to the example or a generated value. */
@FunctionalInterface
public interface CallbackPayloads {
  @Nullable JsonNode payload(String key, CallbackDefinition definition, RequestParts request);
}
