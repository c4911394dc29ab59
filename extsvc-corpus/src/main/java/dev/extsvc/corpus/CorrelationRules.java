package dev.extsvc.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.extsvc.spec.Correlation;
import dev.extsvc.spec.CorrelationRule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The correlation rules the corpus run applies, from a YAML file shaped like extsvc.yaml's {@code
 * services}: {@code SERVICE: {correlation: {OPERATION: {KEY: {invocation: EXPR, callback:
 * EXPR}}}}}, SERVICE being the name a document registers under (its {@code info.title}).
 */
final class CorrelationRules {
  private CorrelationRules() {}

  /**
   * Reads the file.
   *
   * @throws IllegalArgumentException naming the file and the rule that is wrong
   */
  static List<CorrelationRule> read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<CorrelationRule> rules = new ArrayList<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return rules;
    }
    for (Map.Entry<String, JsonNode> service : root.properties()) {
      for (Map.Entry<String, JsonNode> operation :
          service.getValue().path("correlation").properties()) {
        for (Map.Entry<String, JsonNode> key : operation.getValue().properties()) {
          String where =
              file + ": " + service.getKey() + "/" + operation.getKey() + "/" + key.getKey();
          try {
            rules.add(
                new CorrelationRule(
                    service.getKey(),
                    operation.getKey(),
                    key.getKey(),
                    Correlation.parse(
                        key.getValue().path("invocation").asText(""),
                        key.getValue().path("callback").asText(""))));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
          }
        }
      }
    }
    return rules;
  }
}
