package dev.extsvc.codegen;

import com.palantir.javapoet.JavaFile;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.lang.model.SourceVersion;
import org.jspecify.annotations.Nullable;

/**
 * Generates a typed Java client from a registered service: one class per service (e.g. {@code
 * AcmeMortgages}), created from an {@code ExternalServices}, with one method per operation, and
 * records for the schemas. The output is deterministic: generating twice gives identical bytes.
 */
public final class JavaClientGenerator {
  private JavaClientGenerator() {}

  /**
   * The Java files for a service, ordered by type name.
   *
   * @param packageName the package of the generated types, e.g. "com.acme.mortgages"
   * @throws IllegalArgumentException when the package name is not a valid Java package name
   */
  public static List<JavaFile> generate(ServiceDefinition service, String packageName) {
    Objects.requireNonNull(service, "service");
    requirePackage(packageName);
    return new ServiceWriter(service, packageName).files();
  }

  /**
   * Generates a service's files under a source root ({@code
   * outputDir/com/acme/AcmeMortgages.java}).
   *
   * @return the files written, in the order of {@link #generate(ServiceDefinition, String)}
   */
  public static List<Path> writeTo(ServiceDefinition service, String packageName, Path outputDir) {
    return write(generate(service, packageName), outputDir);
  }

  private static List<Path> write(List<JavaFile> files, Path outputDir) {
    // Emitting the source text (JavaPoet's two passes: imports, then text) is most of the time and
    // each file stands alone: in parallel, written in one piece. Failures are reported in file
    // order.
    List<Written> written = files.parallelStream().map(file -> write(file, outputDir)).toList();
    List<Path> paths = new ArrayList<>(written.size());
    for (int i = 0; i < written.size(); i++) {
      IOException error = written.get(i).error();
      if (error != null) {
        throw new UncheckedIOException(
            "cannot write " + files.get(i).typeSpec().name() + " under " + outputDir, error);
      }
      paths.add(written.get(i).path());
    }
    return paths;
  }

  /** Where a file went, or why it could not be written. */
  private record Written(Path path, @Nullable IOException error) {}

  private static Written write(JavaFile file, Path outputDir) {
    Path dir = outputDir;
    if (!file.packageName().isEmpty()) {
      for (String part : file.packageName().split("\\.", -1)) {
        dir = dir.resolve(part);
      }
    }
    Path path = dir.resolve(file.typeSpec().name() + ".java");
    try {
      Files.createDirectories(dir);
      // The same text JavaFile.writeToPath writes (UTF-8), without its per-call encoder overhead.
      Files.writeString(path, file.toString(), StandardCharsets.UTF_8);
      return new Written(path, null);
    } catch (IOException e) {
      return new Written(path, e);
    }
  }

  /**
   * Registers a spec file and generates its client: the {@code extsvc generate} command and the
   * Maven plugin. Registration problems are printed to {@code err} (errors and warnings, with their
   * location), never a stack trace.
   *
   * @return 0 when generated, 1 when the spec has errors or the files cannot be written, 2 for a
   *     bad package name
   */
  public static int generate(Path spec, String packageName, Path outputDir, PrintWriter err) {
    if (!isPackageName(packageName)) {
      err.println("'" + packageName + "' is not a valid Java package name");
      err.flush();
      return 2;
    }
    // The client is generated while swagger-parser's check of the document finishes on the other
    // thread, and written only once the registration turns out to have no error.
    var early = new AtomicReference<@Nullable Generated>();
    Registration registration =
        Registrar.defaults()
            .register(spec, null, service -> early.set(Generated.of(service, packageName)));
    for (Diagnostic d : registration.report().diagnostics()) {
      err.println(spec + ": " + d);
    }
    ServiceDefinition service = registration.service();
    if (service == null) {
      err.println(
          spec
              + ": not generated: the spec has "
              + registration.report().errors().size()
              + " error(s)");
      err.flush();
      return 1;
    }
    try {
      Generated generated = early.get();
      write(generated != null ? generated.files() : generate(service, packageName), outputDir);
    } catch (UncheckedIOException e) {
      err.println(
          e.getMessage()
              + ": "
              + Objects.requireNonNull(e.getCause())
                  .getMessage()); // an UncheckedIOException always has one
      err.flush();
      return 1;
    }
    err.flush();
    return 0;
  }

  /**
   * A client generated ahead of knowing whether it is wanted: its files, or what generating them
   * threw, thrown again only when they are asked for.
   */
  private record Generated(@Nullable List<JavaFile> generated, @Nullable RuntimeException failure) {
    static Generated of(ServiceDefinition service, String packageName) {
      try {
        return new Generated(generate(service, packageName), null);
      } catch (RuntimeException e) {
        return new Generated(null, e);
      }
    }

    List<JavaFile> files() {
      if (failure != null) {
        throw failure;
      }
      return Objects.requireNonNull(generated);
    }
  }

  static boolean isPackageName(String name) {
    return name != null && SourceVersion.isName(name);
  }

  private static void requirePackage(String packageName) {
    if (!isPackageName(packageName)) {
      throw new IllegalArgumentException("'" + packageName + "' is not a valid Java package name");
    }
  }
}
