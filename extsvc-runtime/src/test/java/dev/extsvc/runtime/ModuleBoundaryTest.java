package dev.extsvc.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What is internal stays internal. The API is {@code dev.extsvc.runtime}, {@code .credentials} and
 * {@code .store}; the stage packages and {@code support} are not, so no other module (nor an
 * example) refers to them, and none puts a class into the runtime's packages. One documented
 * exception: {@code extsvc-bench} measures the runtime's own {@code support.Tokens} and {@code
 * support.PayloadValidator}. Read from the sources of the other modules, so it runs in this
 * module's build (a module-info would need one in extsvc-spec and every dependency as a module).
 */
class ModuleBoundaryTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Pattern INTERNAL =
      Pattern.compile(
          "dev\\.extsvc\\.runtime\\.(registry|invoke|receive|process|timeout|cluster|alert|observe|support|internal)\\b[\\w.]*");
  static final List<String> BENCH_HOOK =
      List.of("dev.extsvc.runtime.support.Tokens", "dev.extsvc.runtime.support.PayloadValidator");

  @Test
  void noOtherModuleRefersToARuntimePackageThatIsNotApi() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path file : otherModulesSources()) {
      String module = ROOT.relativize(file).getName(0).toString();
      Matcher m = INTERNAL.matcher(Files.readString(file));
      while (m.find()) {
        // the mock's tests check generated callbacks with the runtime's own validator
        boolean hook =
            module.equals("extsvc-bench")
                || (module.equals("extsvc-mock") && file.toString().contains("/src/test/"));
        if (!(hook && BENCH_HOOK.contains(m.group()))) {
          found.add(ROOT.relativize(file) + ": " + m.group());
        }
      }
    }
    assertThat(found).as("references to non-API runtime packages").isEmpty();
  }

  @Test
  void noOtherModulePutsAClassIntoTheRuntimesPackages() throws IOException {
    List<String> intruders =
        otherModulesSources().stream()
            .filter(f -> f.toString().replace('\\', '/').contains("/java/dev/extsvc/runtime/"))
            .map(f -> ROOT.relativize(f).toString())
            .toList();

    assertThat(intruders).isEmpty();
  }

  @Test
  void onlyTheBuilderKnowsTheFacade() throws IOException {
    Path main = ROOT.resolve("extsvc-runtime/src/main/java");
    List<String> holders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(main)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (f.getFileName().toString().equals("ExternalServices.java")) {
          continue;
        }
        if (withoutComments(Files.readString(f)).contains("ExternalServices")) {
          holders.add(main.relativize(f).toString());
        }
      }
    }
    assertThat(holders).as("runtime classes referring to ExternalServices").isEmpty();
  }

  private static List<Path> otherModulesSources() throws IOException {
    List<Path> roots = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(ROOT)) {
      dirs.filter(d -> d.getFileName().toString().startsWith("extsvc-")).forEach(roots::add);
    }
    try (Stream<Path> dirs = Files.list(ROOT.resolve("examples"))) {
      dirs.forEach(roots::add);
    }
    assertThat(roots).as("the sibling modules are found from " + ROOT).hasSizeGreaterThan(5);
    List<Path> files = new ArrayList<>();
    for (Path root : roots) {
      if (root.getFileName().toString().equals("extsvc-runtime")
          || !Files.isDirectory(root.resolve("src"))) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(root.resolve("src"))) {
        walk.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".jte"))
            .forEach(files::add);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    return files;
  }

  /** The source without block and line comments (javadoc may name the facade; code may not). */
  private static String withoutComments(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
  }
}
