package dev.extsvc.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The documents of a corpus folder and which of them a run tries: every OpenAPI 3 document that
 * declares callbacks, a seeded sample of the others, and the largest documents (for the size limits
 * and the timing).
 */
final class Selection {
  private static final Pattern OPENAPI_3_JSON = Pattern.compile("\"openapi\"\\s*:\\s*\"3\\.");
  private static final Pattern OPENAPI_3_YAML = Pattern.compile("(?m)^openapi\\s*:\\s*['\"]?3\\.");
  // the member name is enough to choose; registration is what reads callbacks properly
  private static final Pattern CALLBACKS_JSON = Pattern.compile("\"callbacks\"\\s*:\\s*\\{\\s*\"");
  private static final Pattern CALLBACKS_YAML = Pattern.compile("(?m)^\\s+callbacks\\s*:\\s*$");

  private Selection() {}

  /** One document of the corpus; {@code name} is its path under the corpus folder, with '/'. */
  record Candidate(Path file, String name, long bytes, boolean openApi3, boolean callbacks) {}

  static List<Candidate> scan(Path root) {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).filter(Selection::isDocument).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    List<Candidate> out = new ArrayList<>();
    for (Path file : files) {
      try {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String name = root.relativize(file).toString().replace('\\', '/');
        out.add(
            new Candidate(file, name, Files.size(file), isOpenApi3(text), declaresCallbacks(text)));
      } catch (IOException | UncheckedIOException e) {
        // unreadable as UTF-8: still tried, so that registration reports it
        out.add(
            new Candidate(
                file, root.relativize(file).toString(), file.toFile().length(), true, false));
      }
    }
    return out;
  }

  static boolean isDocument(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".json") || name.endsWith(".yaml") || name.endsWith(".yml");
  }

  static boolean isOpenApi3(String text) {
    return OPENAPI_3_JSON.matcher(text).find() || OPENAPI_3_YAML.matcher(text).find();
  }

  /** Whether an operation or {@code components/callbacks} declares a callback. */
  static boolean declaresCallbacks(String text) {
    // a cheap look first: reading every document of the corpus as a tree would take most of a run's
    // start
    if (!CALLBACKS_JSON.matcher(text).find() && !CALLBACKS_YAML.matcher(text).find()) {
      return false;
    }
    JsonNode root;
    try {
      root =
          (text.stripLeading().startsWith("{") ? new ObjectMapper() : new YAMLMapper())
              .readTree(text);
    } catch (IOException e) {
      return false;
    }
    if (root == null) {
      return false;
    }
    if (!root.path("components").path("callbacks").isEmpty()) {
      return true;
    }
    for (JsonNode pathItem : root.path("paths")) {
      for (JsonNode operation : pathItem) {
        if (operation.path("callbacks").isObject() && !operation.path("callbacks").isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  /** OpenAPI 3 documents with callbacks, by name. */
  static List<Candidate> withCallbacks(List<Candidate> all) {
    return all.stream().filter(c -> c.openApi3() && c.callbacks()).toList();
  }

  /**
   * {@code n} OpenAPI 3 documents without callbacks, the same ones for the same corpus and seed, by
   * name.
   */
  static List<Candidate> sample(List<Candidate> all, int n, long seed) {
    List<Candidate> pool =
        new ArrayList<>(
            all.stream()
                .filter(c -> c.openApi3() && !c.callbacks())
                .sorted(Comparator.comparing(Candidate::name))
                .toList());
    java.util.Collections.shuffle(pool, new Random(seed));
    return pool.subList(0, Math.min(n, pool.size())).stream()
        .sorted(Comparator.comparing(Candidate::name))
        .toList();
  }

  /**
   * The documents whose name (path under the corpus folder) contains one of {@code parts}, by name.
   */
  static List<Candidate> only(List<Candidate> all, List<String> parts) {
    return all.stream()
        .filter(c -> parts.stream().anyMatch(p -> !p.isBlank() && c.name().contains(p.strip())))
        .toList();
  }

  /**
   * The largest document, and the largest one within {@code limit} bytes (the same when it fits).
   */
  static List<Candidate> largest(List<Candidate> all, long limit) {
    List<Candidate> bySize =
        all.stream()
            .filter(Candidate::openApi3)
            .sorted(Comparator.comparingLong(Candidate::bytes).reversed())
            .toList();
    List<Candidate> out = new ArrayList<>();
    if (!bySize.isEmpty()) {
      out.add(bySize.get(0));
      bySize.stream()
          .filter(c -> c.bytes() <= limit)
          .findFirst()
          .filter(c -> c != bySize.get(0))
          .ifPresent(out::add);
    }
    return out;
  }
}
