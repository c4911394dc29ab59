package dev.extsvc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * swagger-parser's structural validation, turned into diagnostics with the best pointer its
 * messages allow. Its messages name places as "paths.'/a'(post).parameters.[id].in"; this walks
 * such a path through the document. References are not left to it: {@link Refs} checks them with
 * exact pointers.
 */
final class ParserMessages {
  private static final Pattern ATTRIBUTE =
      Pattern.compile(
          "attribute (.+?) (is (?:missing|unexpected|not of type|repeated|deprecated).*)");
  private static final Pattern PATH_PARAMETER =
      Pattern.compile("(paths\\..+?)\\. (Declared path parameter .*)");

  private ParserMessages() {}

  /**
   * swagger-parser's check of one document, on a thread of its own: it costs as much as the rest of
   * the registration (its first use in a process more: its classes and mappers are set up then),
   * and nothing else waits for it until the findings are put together. The thread starts at once,
   * sets swagger-parser up while the document is being read, then checks a copy of the tree ({@link
   * #check}) so that the registration's own reading of the tree is never disturbed.
   */
  static final class Check {
    private final CompletableFuture<@Nullable JsonNode> tree = new CompletableFuture<>();
    private final FutureTask<@Nullable List<String>> messages =
        new FutureTask<>(
            () -> {
              // Its classes and mappers are set up while the document is being parsed.
              OpenAPIV3Parser parser = new OpenAPIV3Parser();
              JsonNode root = tree.join();
              return root == null ? null : messages(parser, root.deepCopy());
            });

    private Check() {}

    /** Starts the check's thread; {@link #check} gives it the document. */
    static Check start() {
      Check check = new Check();
      Thread thread = new Thread(check.messages, "extsvc-spec-check");
      thread.setDaemon(true); // a registration that failed before asking for the result ends
      thread.start();
      return check;
    }

    /** Checks this tree (read only; the check reads its own copy). */
    void check(JsonNode root) {
      tree.complete(root);
    }

    /** Ends the check unused: the document was not read. */
    void cancel() {
      tree.complete(null);
    }

    /**
     * Adds swagger-parser's findings to {@code findings}, waiting for them if need be. An error
     * that is no exception (a stack overflow) is thrown here, on the registration's thread, as if
     * the check had run there.
     *
     * @param refsBroken whether some {@code $ref} is broken: then messages about places that do not
     *     exist are taken for echoes of it and left out
     */
    void report(JsonNode root, boolean refsBroken, Findings findings) {
      List<String> found;
      try {
        found = messages.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        findings.warning("", "swagger-parser could not check the document: " + e);
        return;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException failure) {
          findings.warning("", "swagger-parser could not check the document: " + failure);
          return;
        }
        if (cause instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException(cause);
      }
      add(found, root, refsBroken, findings);
    }
  }

  private static List<String> messages(OpenAPIV3Parser parser, JsonNode root) {
    ParseOptions options = new ParseOptions();
    // resolving would fetch external references over the network; Refs does the local ones
    options.setResolve(false);
    // the tree registration already read: parsing the text again cost as much as the checks
    SwaggerParseResult result = parser.parseJsonNode(null, root, options);
    return result == null || result.getMessages() == null ? List.of() : result.getMessages();
  }

  private static void add(
      @Nullable List<String> messages, JsonNode root, boolean refsBroken, Findings findings) {
    if (messages == null) {
      return;
    }
    boolean responsesOptional = root.path("openapi").asText().startsWith("3.1");
    for (String message : messages) {
      add(message, root, refsBroken, responsesOptional, findings);
    }
  }

  private static void add(
      String message,
      JsonNode root,
      boolean refsBroken,
      boolean responsesOptional,
      Findings findings) {
    Matcher attribute = ATTRIBUTE.matcher(message);
    if (attribute.matches()) {
      String location = attribute.group(1);
      String problem = attribute.group(2);
      if (location.contains("#/")) {
        return; // a $ref that does not resolve: Refs reports it where it is written
      }
      Walk walk = walk(root, segments(location));
      boolean missing = problem.startsWith("is missing");
      boolean exists = walk.complete() || (missing && walk.remaining() == 1);
      if (!exists && refsBroken) {
        return;
      }
      boolean missingResponses = missing && location.endsWith("responses");
      if (missingResponses && responsesOptional) {
        return; // 3.1 made responses optional; swagger-parser still asks for them
      }
      String text = location + " " + problem;
      if (problem.startsWith("is unexpected") || problem.startsWith("is deprecated") || !exists) {
        findings.warning(walk.pointer(), text);
      } else if (missingResponses) {
        // required in 3.0, but extsvc needs no declared responses to call or be called back
        findings.warning(walk.pointer(), text);
      } else {
        findings.error(walk.pointer(), text);
      }
      return;
    }
    Matcher pathParameter = PATH_PARAMETER.matcher(message);
    if (pathParameter.matches()) {
      // the runtime still fills the path from the caller's values; a warning says the document is
      // incomplete
      findings.warning(
          walk(root, segments(pathParameter.group(1))).pointer(), pathParameter.group(2));
      return;
    }
    if (!message.startsWith("Could not find") && !message.contains("#/")) {
      findings.warning("", message);
    }
  }

  /** How far a location got through the document. */
  record Walk(String pointer, int remaining) {
    boolean complete() {
      return remaining == 0;
    }
  }

  /**
   * One step of a location: a member name, or a "[name]" selecting an array element by its name.
   */
  record Segment(String name, boolean selector) {}

  static List<Segment> segments(String location) {
    List<Segment> out = new ArrayList<>();
    int i = 0;
    while (i < location.length()) {
      char c = location.charAt(i);
      if (c == '.') {
        i++;
      } else if (c == '\'' || c == '(' || c == '[') {
        char close = c == '\'' ? '\'' : c == '(' ? ')' : ']';
        int end = location.indexOf(close, i + 1);
        end = end < 0 ? location.length() : end;
        out.add(new Segment(location.substring(i + 1, end), c == '['));
        i = end + 1;
      } else {
        int end = i;
        while (end < location.length() && ".'([".indexOf(location.charAt(end)) < 0) {
          end++;
        }
        out.add(new Segment(location.substring(i, end), false));
        i = end;
      }
    }
    return out;
  }

  static Walk walk(JsonNode root, List<Segment> segments) {
    JsonNode node = root;
    String pointer = "";
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      if (node.isObject() && !s.selector() && node.has(s.name())) {
        node = node.get(s.name());
        pointer = JsonPointers.append(pointer, s.name());
      } else if (node.isArray() && (s.selector() || JsonPointers.isIndex(s.name()))) {
        int index = elementNamed(node, s.name());
        if (index < 0) {
          return new Walk(pointer, segments.size() - i);
        }
        node = node.get(index);
        pointer = pointer + "/" + index;
      } else {
        return new Walk(pointer, segments.size() - i);
      }
    }
    return new Walk(pointer, 0);
  }

  private static int elementNamed(JsonNode array, String name) {
    for (int i = 0; i < array.size(); i++) {
      if (name.equals(array.get(i).path("name").asText(null))) {
        return i;
      }
    }
    return JsonPointers.isIndex(name) && Integer.parseInt(name) < array.size()
        ? Integer.parseInt(name)
        : -1;
  }
}
