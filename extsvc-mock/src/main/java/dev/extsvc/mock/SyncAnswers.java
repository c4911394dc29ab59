package dev.extsvc.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.RequestParts;
import org.jspecify.annotations.Nullable;

/**
 * Lets a test or demo choose the body of a synchronous answer; null falls back to the example or a
 * generated value.
 */
@FunctionalInterface
public interface SyncAnswers {
  @Nullable JsonNode answer(Operation operation, RequestParts request);
}
