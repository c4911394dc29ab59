package dev.extsvc.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.runtime.Alert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The server's Jackson configuration, for its own answers and for JSON it stored itself (the
 * runtime keeps its own); public only so that the console package and the tests share it.
 */
public final class Json {
  /** For trusted JSON (the store's, our own API answers). */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Json() {}

  /** {"message": "..."} */
  public static String message(String message) {
    return MAPPER.createObjectNode().put("message", message).toString();
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** An alert as the API and the console's JSON show it. */
  public static ObjectNode alert(Alert a) {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("id", a.id())
        .put("state", a.firing() ? "firing" : "resolved")
        .put("rule", a.rule().label())
        .put("subject", a.subject())
        .put("summary", a.summary())
        .put("firedAt", a.firedAt().toString());
    Instant resolved = a.resolvedAt();
    if (resolved != null) {
      out.put("resolvedAt", resolved.toString());
    } else {
      out.putNull("resolvedAt");
    }
    ArrayNode ids = out.putArray("invocations");
    a.invocations().forEach(id -> ids.add(id.toString()));
    out.put("delivery", a.delivery());
    return out;
  }

  public static JsonNode readTrusted(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
