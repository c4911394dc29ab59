package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Warns when callbacks of different keys arrive at the same URL with the same method, so that only
 * their payloads can tell them apart, and the payloads cannot.
 */
final class CallbackOverlap {
  private final Findings findings;

  CallbackOverlap(Findings findings) {
    this.findings = findings;
  }

  void check(List<CallbackDefinition> callbacks) {
    Map<String, List<CallbackDefinition>> byArrival = new LinkedHashMap<>();
    for (CallbackDefinition c : callbacks) {
      if (c.target() != null) {
        String arrival = c.target().id() + " " + c.method() + " " + c.suffix();
        byArrival.computeIfAbsent(arrival, a -> new ArrayList<>()).add(c);
      }
    }
    for (List<CallbackDefinition> sharing : byArrival.values()) {
      for (int j = 1; j < sharing.size(); j++) {
        for (int i = 0; i < j; i++) {
          CallbackDefinition a = sharing.get(i);
          CallbackDefinition b = sharing.get(j);
          String why = a.key().equals(b.key()) ? null : indistinguishable(a, b);
          if (why != null) {
            findings.warning(
                b.pointer(),
                "callbacks "
                    + a.key()
                    + " and "
                    + b.key()
                    + " both arrive as "
                    + b.method()
                    + " at the URL written to the "
                    + Objects.requireNonNull(b.target()).describe()
                    + (b.suffix().isEmpty() ? "" : " + '" + b.suffix() + "'")
                    + " and cannot be told apart: "
                    + why
                    + "; give each its own place for the URL, or a property with a different constant (const or"
                    + " an enum of one value) in each");
          }
        }
      }
    }
  }

  /** Why payloads cannot tell the two apart, or null when they can. */
  private static @Nullable String indistinguishable(CallbackDefinition a, CallbackDefinition b) {
    JsonNode schemaA = schema(a);
    JsonNode schemaB = schema(b);
    if (discriminated(schemaA, schemaB)) {
      return null;
    }
    if (schemaA == null && schemaB == null) {
      return "neither declares a request body schema";
    }
    if (schemaA != null
        && schemaB != null
        && Objects.equals(
            BodySchemas.withoutAnnotations(schemaA), BodySchemas.withoutAnnotations(schemaB))) {
      return "their request body schemas are the same";
    }
    return null;
  }

  private static @Nullable JsonNode schema(CallbackDefinition c) {
    return c.requestBody() == null ? null : c.requestBody().schema();
  }

  /** Whether some property is fixed to a different constant in each. */
  private static boolean discriminated(@Nullable JsonNode a, @Nullable JsonNode b) {
    Map<String, JsonNode> constantsA = BodySchemas.constants(a);
    Map<String, JsonNode> constantsB = BodySchemas.constants(b);
    return constantsA.entrySet().stream()
        .anyMatch(
            e ->
                constantsB.containsKey(e.getKey())
                    && !constantsB.get(e.getKey()).equals(e.getValue()));
  }
}
