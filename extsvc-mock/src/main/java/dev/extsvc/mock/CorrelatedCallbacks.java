package dev.extsvc.mock;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Correlation;
import dev.extsvc.spec.ExpressionContext;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.RuntimeExpression;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Sends a callback of a key awaited by correlation to the receiver's shared address: the body (or a
 * header) carries the invocation's correlation value, evaluated from the request and the
 * synchronous answer by the key's rule, and the scheme's signature headers are added last.
 */
final class CorrelatedCallbacks {
  private final SharedAddress address;
  private final CallbackSender sender;
  private final InstantSource clock;

  CorrelatedCallbacks(SharedAddress address, CallbackSender sender, InstantSource clock) {
    this.address = address;
    this.sender = sender;
    this.clock = clock;
  }

  boolean beforeAnswer() {
    return address.beforeAnswer();
  }

  /** Whether this key's callbacks go to the shared address (the key has a correlation rule). */
  static boolean correlated(CallbackDefinition def) {
    return def.correlation() != null;
  }

  /**
   * Sends one callback, or describes why it cannot be sent (the answer carries no value).
   *
   * @param body the callback's body as the mock made it; the value is written into a copy
   */
  Delivery send(
      String operationId,
      CallbackDefinition def,
      String requestUrl,
      String method,
      RequestParts request,
      @Nullable JsonNode answer,
      @Nullable JsonNode body,
      Map<String, String> headers) {
    Correlation rule = def.correlation();
    if (rule == null) {
      throw new IllegalArgumentException("callback " + def.key() + " has no correlation rule");
    }
    ExpressionContext context =
        new ExpressionContext(requestUrl, method, request, 200, Map.of(), answer);
    String value = rule.invocationValue(context);
    if (value == null) {
      return new Delivery(
          operationId,
          def.key(),
          def.method(),
          "",
          Map.of(),
          "",
          -1,
          null,
          "the request and answer carry no correlation value at " + rule.invocation(),
          0,
          clock.instant(),
          null);
    }
    Map<String, String> out = new LinkedHashMap<>(headers);
    JsonNode sent = body == null ? JsonNodeFactory.instance.objectNode() : body.deepCopy();
    switch (rule.callback()) {
      case RuntimeExpression.Header h -> out.put(h.name(), value);
      case RuntimeExpression.Body b -> sent = put(sent, b.pointer(), value);
      default -> throw new IllegalStateException("a correlation reads a header or the body");
    }
    String text = sent.toString();
    out.putAll(CallbackSigner.headers(address.signing(), address.url(), text, clock.instant()));
    return sender.send(operationId, def.key(), def.method(), address.url(), out, text);
  }

  /** The body with {@code value} at the pointer, creating the objects on the way. */
  static JsonNode put(JsonNode body, String pointer, String value) {
    if (pointer.isEmpty()) {
      return TextNode.valueOf(value);
    }
    JsonNode root = body.isObject() ? body : JsonNodeFactory.instance.objectNode();
    ObjectNode at = (ObjectNode) root;
    JsonPointer p = JsonPointer.compile(pointer);
    while (!p.tail().matches()) {
      JsonNode next = at.get(p.getMatchingProperty());
      at = next instanceof ObjectNode object ? object : at.putObject(p.getMatchingProperty());
      p = p.tail();
    }
    at.put(p.getMatchingProperty(), value);
    return root;
  }
}
