package dev.extsvc.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A document as text, read into a JSON tree with a source map: JSON or YAML, within the size
 * limits, not malformed. {@link #read} reports why a document cannot be read and returns null.
 */
record SourceDocument(String text, Format format, JsonNode tree, SourceMap sourceMap) {

  enum Format {
    JSON,
    YAML
  }

  // duplicate members are ambiguous (parsers disagree on which one wins), so they count as
  // malformed
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final JsonFactory YAML =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  static @Nullable SourceDocument read(
      String text, long maxJsonBytes, long maxYamlBytes, Findings findings) {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    Format format = detect(body);
    long bytes = body.getBytes(StandardCharsets.UTF_8).length;
    long limit = format == Format.JSON ? maxJsonBytes : maxYamlBytes;
    if (bytes > limit) {
      findings.error("", tooLarge(bytes, format, limit));
      return null;
    }
    if (body.isBlank()) {
      findings.error("", "the document is empty");
      return null;
    }
    JsonFactory factory = format == Format.JSON ? JSON : YAML;
    try {
      JsonNode tree = new ObjectMapper(factory).readTree(body);
      if (tree == null || tree.isMissingNode()) {
        findings.error("", "the document is empty");
        return null;
      }
      return new SourceDocument(body, format, tree, SourceMap.of(body, factory));
    } catch (JsonProcessingException e) {
      findings.add(malformed(format, e));
      return null;
    } catch (IOException e) {
      findings.error("", "cannot read the " + format + " document: " + e.getMessage());
      return null;
    }
  }

  /**
   * JSON starts with '{' or '['; anything else is read as YAML (of which JSON is a subset anyway).
   */
  static Format detect(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c)) {
        return c == '{' || c == '[' ? Format.JSON : Format.YAML;
      }
    }
    return Format.YAML;
  }

  static String tooLarge(long bytes, Format format, long limit) {
    String setting = format == Format.JSON ? "maxJsonBytes" : "maxYamlBytes";
    return "document is "
        + bytes
        + " bytes; the limit for "
        + format
        + " is "
        + size(limit)
        + " (configure Registrar.builder()."
        + setting
        + "(...) to allow more)";
  }

  private static String size(long bytes) {
    if (bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MB";
    }
    if (bytes % 1024 == 0) {
      return bytes / 1024 + " KB";
    }
    return bytes + " bytes";
  }

  private static Diagnostic malformed(Format format, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    int line = at == null ? 0 : Math.max(at.getLineNr(), 0);
    int column = at == null ? 0 : Math.max(at.getColumnNr(), 0);
    // YAML messages span several lines with a snippet of the document; one line reads better in a
    // report
    String reason =
        String.valueOf(e.getOriginalMessage())
            .lines()
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .findFirst()
            .orElse("unreadable");
    String where = line > 0 ? " at line " + line + ", column " + column : "";
    return new Diagnostic(Severity.ERROR, "", line, "malformed " + format + where + ": " + reason);
  }
}
