package dev.extsvc.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A generated OpenAPI 3.0 document far larger than Acme: {@code operations} operations, each with a
 * query parameter, a body with a nested callback URL, and two callbacks (one at the body pointer,
 * one at the query parameter, the second with a literal suffix), all over {@code operations / 10}
 * shared component schemas.
 */
final class LargeSpec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LargeSpec() {}

  static String generate(int operations) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("openapi", "3.0.3");
    doc.putObject("info").put("title", "Large Service").put("version", "1.0");
    doc.putArray("servers").addObject().put("url", "https://large.example.com");
    int schemas = Math.max(1, operations / 10);
    ObjectNode components = doc.putObject("components").putObject("schemas");
    for (int s = 0; s < schemas; s++) {
      ObjectNode schema = components.putObject("Model" + s);
      schema.put("type", "object");
      schema.putArray("required").add("id").add("status");
      ObjectNode props = schema.putObject("properties");
      props.putObject("id").put("type", "string");
      props
          .putObject("status")
          .put("type", "string")
          .putArray("enum")
          .add("ok")
          .add("failed")
          .add("pending");
      props.putObject("amount").put("type", "number").put("minimum", 0);
      props.putObject("createdAt").put("type", "string").put("format", "date-time");
      props.putObject("tags").put("type", "array").putObject("items").put("type", "string");
      if (s > 0) {
        props.putObject("parent").put("$ref", "#/components/schemas/Model" + (s - 1));
      }
    }
    ObjectNode paths = doc.putObject("paths");
    for (int o = 0; o < operations; o++) {
      String model = "#/components/schemas/Model" + (o % schemas);
      ObjectNode op = paths.putObject("/resources" + o + "/{id}").putObject("post");
      op.put("operationId", "operation" + o);
      ArrayNode params = op.putArray("parameters");
      params
          .addObject()
          .put("name", "id")
          .put("in", "path")
          .put("required", true)
          .putObject("schema")
          .put("type", "string");
      params
          .addObject()
          .put("name", "notifyUrl")
          .put("in", "query")
          .putObject("schema")
          .put("type", "string");
      ObjectNode body =
          op.putObject("requestBody")
              .putObject("content")
              .putObject("application/json")
              .putObject("schema");
      body.put("type", "object");
      ObjectNode bodyProps = body.putObject("properties");
      bodyProps.putObject("payload").put("$ref", model);
      bodyProps
          .putObject("hooks")
          .put("type", "object")
          .putObject("properties")
          .putObject("done")
          .put("type", "string");
      op.putObject("responses")
          .putObject("202")
          .put("description", "accepted")
          .putObject("content")
          .putObject("application/json")
          .putObject("schema")
          .put("$ref", model);
      ObjectNode callbacks = op.putObject("callbacks");
      callback(callbacks, "done" + o, "{$request.body#/hooks/done}", model);
      callback(callbacks, "progress" + o, "{$request.query.notifyUrl}/progress", model);
    }
    return doc.toString();
  }

  private static void callback(ObjectNode callbacks, String key, String expression, String model) {
    ObjectNode post = callbacks.putObject(key).putObject(expression).putObject("post");
    post.putObject("requestBody")
        .put("required", true)
        .putObject("content")
        .putObject("application/json")
        .putObject("schema")
        .put("$ref", model);
    post.putObject("responses").putObject("200").put("description", "ok");
  }
}
