package dev.extsvc.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * JSON given as an option's value, read strictly, refused with the option, line and column and the
 * parser's own words, without its "[Source: ...]" details (which name parser internals, not the
 * user's text).
 */
final class JsonArgument {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonArgument() {}

  /**
   * @throws ParameterException (exit code 2) saying where the text stops being JSON
   */
  static JsonNode parse(CommandSpec spec, String option, String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ParameterException(spec.commandLine(), message(option, e));
    }
  }

  static String message(String option, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String what =
        e.getOriginalMessage()
            .replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
            .replaceAll("\\s*\\[Source:[^\\]]*\\]", "")
            .lines()
            .findFirst()
            .orElse("")
            .strip();
    return option
        + " is not valid JSON"
        + (at == null || at.getLineNr() < 1
            ? ""
            : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
        + ": "
        + what;
  }
}
