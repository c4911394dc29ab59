package dev.extsvc.spec;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registered service: the immutable model of one OpenAPI document.
 *
 * @param name from {@code info.title}, or the name given at registration
 * @param servers the document's server URLs, in order (may be relative, such as "/")
 * @param document the document's text as registered
 * @param components the document's component schemas by name, inlined as the operations' schemas
 *     are: what a code generator reads to name its types
 */
public record ServiceDefinition(
    String name,
    String version,
    String openApiVersion,
    List<String> servers,
    List<Operation> operations,
    String document,
    ComponentSchemas components) {

  public ServiceDefinition {
    servers = List.copyOf(servers);
    operations = List.copyOf(operations);
  }

  /** A service without component schemas: a model built by hand rather than registered. */
  public ServiceDefinition(
      String name,
      String version,
      String openApiVersion,
      List<String> servers,
      List<Operation> operations,
      String document) {
    this(name, version, openApiVersion, servers, operations, document, ComponentSchemas.none());
  }

  public Optional<Operation> operation(String id) {
    return operations.stream().filter(o -> o.id().equals(id)).findFirst();
  }

  /**
   * The path of the first server URL, without a trailing slash: "/v1" of "https://bank.example/v1",
   * "/api" of "/api"; "" for "/", no server, or a URL holding a server variable (its value is not
   * known here).
   */
  public String basePath() {
    return basePath(servers);
  }

  /** {@link #basePath()} of these server URLs: the one rule the runtime and the mock share. */
  public static String basePath(List<String> servers) {
    if (servers.isEmpty() || servers.get(0).indexOf('{') >= 0) {
      return "";
    }
    String path = pathOf(servers.get(0));
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path.isEmpty() || path.startsWith("/") ? path : "/" + path;
  }

  /**
   * Where callouts go for an endpoint given as {@code configured}: as given when it has a path of
   * its own, else followed by {@link #basePath()}, the way the spec's paths are served
   * ("http://127.0.0.1:9090" with a first server "https://bank.example/v1" → ".../v1").
   */
  public String endpointFor(String configured) {
    String trimmed = configured;
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return pathOf(trimmed).isEmpty() ? trimmed + basePath() : trimmed;
  }

  /** The path of a URL (absolute or a bare path), without query or fragment. */
  private static String pathOf(String url) {
    String rest = url;
    Matcher scheme = SCHEME_AND_AUTHORITY.matcher(rest);
    if (scheme.lookingAt()) {
      rest = rest.substring(scheme.end());
    }
    int end = rest.length();
    for (char c : new char[] {'?', '#'}) {
      int at = rest.indexOf(c);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    return rest.substring(0, end);
  }

  private static final Pattern SCHEME_AND_AUTHORITY =
      Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*");
}
