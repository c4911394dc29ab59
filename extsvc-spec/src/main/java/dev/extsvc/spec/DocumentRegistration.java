package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One registration of one document, step by step; each step reports into the same {@link Findings}.
 */
final class DocumentRegistration {
  private final long maxJsonBytes;
  private final long maxYamlBytes;
  private final Findings findings = new Findings();
  private final List<CorrelationRule> correlations;

  DocumentRegistration(long maxJsonBytes, long maxYamlBytes, List<CorrelationRule> correlations) {
    this.maxJsonBytes = maxJsonBytes;
    this.maxYamlBytes = maxYamlBytes;
    this.correlations = correlations;
  }

  Findings findings() {
    return findings;
  }

  /**
   * The service, or null when the document cannot be read at all (the findings say why). Hands the
   * service to {@code meanwhile} before waiting for swagger-parser's check, when nothing found so
   * far is an error: the caller works on it while the check finishes, and must drop that work if
   * the findings end with an error.
   */
  @Nullable ServiceDefinition run(
      String text, @Nullable String serviceName, Consumer<ServiceDefinition> meanwhile) {
    // swagger-parser's check runs beside the rest (on the other core); its findings go where it
    // used to run, after the references' (a slot), so that the report is the same.
    ParserMessages.Check check = ParserMessages.Check.start();
    try {
      return run(text, serviceName, check, meanwhile);
    } finally {
      check.cancel(); // its thread ends when the document was not read
    }
  }

  private @Nullable ServiceDefinition run(
      String text,
      @Nullable String serviceName,
      ParserMessages.Check check,
      Consumer<ServiceDefinition> meanwhile) {
    SourceDocument document = SourceDocument.read(text, maxJsonBytes, maxYamlBytes, findings);
    if (document == null) {
      return null;
    }
    findings.locate(document.sourceMap());
    JsonNode root = document.tree();
    String version = openApiVersion(root);
    if (version == null) {
      return null;
    }
    check.check(root);
    Refs refs = new Refs(root, findings);
    boolean refsResolve = refs.checkAll();
    Findings.Slot parserFindings = findings.reserve();
    List<Operation> operations = new OperationReader(root, refs, findings).read();
    if (operations.isEmpty()) {
      findings.warning("/paths", "the document declares no operations");
    }
    JsonNode info = root.path("info");
    String title = ModelParts.text(info, "title");
    String name =
        serviceName != null && !serviceName.isBlank()
            ? serviceName
            : title != null ? title : "unnamed";
    String infoVersion = info.path("version").asText("");
    operations = Correlations.apply(name, operations, correlations, findings);
    ComponentSchemas components = ComponentSchemas.of(root);
    var service =
        new ServiceDefinition(
            name, infoVersion, version, servers(root), operations, text, components);
    if (!findings.hasErrors()) {
      meanwhile.accept(service);
    }
    Findings parsed = new Findings();
    check.report(root, !refsResolve, parsed);
    findings.fill(parserFindings, parsed);
    return service;
  }

  /**
   * The document's "openapi" version when it is 3.0 or 3.1; otherwise reports why and returns null.
   */
  private @Nullable String openApiVersion(JsonNode root) {
    if (!root.isObject()) {
      findings.error(
          "",
          "an OpenAPI document is an object, but this one is "
              + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
      return null;
    }
    JsonNode openapi = root.get("openapi");
    if (openapi == null) {
      if (root.has("swagger")) {
        findings.error(
            "/swagger",
            "this is a Swagger "
                + root.get("swagger").asText()
                + " document; extsvc reads"
                + " OpenAPI 3.0 and 3.1 only (convert it first, for example with swagger2openapi or the Swagger Editor)");
      } else {
        findings.error(
            "",
            "this is not an OpenAPI document: the member 'openapi' (such as \"3.0.3\") is missing");
      }
      return null;
    }
    String version = openapi.asText();
    if (!openapi.isTextual() || !version.matches("3\\.[01]\\.\\d+(-.+)?")) {
      findings.error(
          "/openapi",
          "OpenAPI version '"
              + version
              + "' is not supported; extsvc reads 3.0.x and 3.1.x"
              + (openapi.isTextual() ? "" : " (write the version as a string, in quotes)"));
      return null;
    }
    return version;
  }

  /** The server URLs; a document without servers is served from "/" (OpenAPI's own default). */
  private static List<String> servers(JsonNode root) {
    List<String> urls = new ArrayList<>();
    root.path("servers")
        .forEach(
            s -> {
              if (s.path("url").isTextual()) {
                urls.add(s.get("url").textValue());
              }
            });
    return urls.isEmpty() ? List.of("/") : urls;
  }
}
