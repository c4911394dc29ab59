package dev.extsvc.corpus;

import com.palantir.javapoet.JavaFile;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.jspecify.annotations.Nullable;

/**
 * Compiles generated sources in memory against this JVM's class path (the runtime, as a user's
 * build has it) and throws the class files away: the run asks only whether they compile.
 */
final class Javac {
  private static final int ERRORS_SHOWN = 3;

  private Javac() {}

  /** Null when the files compile; otherwise the first errors, each with its file and line. */
  static @Nullable String compile(List<JavaFile> files) {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    if (compiler == null) {
      return "no Java compiler in this JVM (run on a JDK, not a JRE)";
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<JavaFileObject> sources = files.stream().map(JavaFile::toJavaFileObject).toList();
    List<String> options =
        List.of(
            "-classpath",
            System.getProperty("java.class.path"),
            "--release",
            "21",
            "-proc:none",
            "-Xlint:none",
            "-nowarn",
            "-encoding",
            "UTF-8");
    try (StandardJavaFileManager standard =
        compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      JavaFileManager discarding =
          new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(
                Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
              return new SimpleJavaFileObject(
                  URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                @Override
                public OutputStream openOutputStream() {
                  return OutputStream.nullOutputStream();
                }
              };
            }
          };
      boolean ok = compiler.getTask(null, discarding, diagnostics, options, null, sources).call();
      if (ok) {
        return null;
      }
    } catch (java.io.IOException e) {
      return "cannot close the compiler's file manager: " + e.getMessage();
    }
    List<Diagnostic<? extends JavaFileObject>> errors =
        diagnostics.getDiagnostics().stream()
            .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
            .toList();
    return errors.size()
        + " error(s): "
        + errors.stream()
            .limit(ERRORS_SHOWN)
            .map(
                d ->
                    (d.getSource() == null
                            ? ""
                            : simpleName(d.getSource()) + ":" + d.getLineNumber() + ": ")
                        + d.getMessage(Locale.ROOT).lines().findFirst().orElse(""))
            .collect(Collectors.joining("; "));
  }

  private static String simpleName(JavaFileObject source) {
    String path = source.toUri().getPath();
    return path == null ? source.getName() : path.substring(path.lastIndexOf('/') + 1);
  }
}
