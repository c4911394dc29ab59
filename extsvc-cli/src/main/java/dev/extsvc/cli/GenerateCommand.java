package dev.extsvc.cli;

import dev.extsvc.codegen.JavaClientGenerator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Generates the typed Java client of a spec. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Generate a typed Java client from a spec (exit 1 when the spec has errors).")
final class GenerateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "SPEC", description = "OpenAPI 3.0/3.1 document, JSON or YAML")
  Path file;

  @Option(
      names = "--package",
      required = true,
      description = "Java package of the generated classes")
  String packageName;

  @Option(names = "--output", required = true, description = "source directory to write into")
  Path output;

  @Override
  public Integer call() {
    return run(file, packageName, output, spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** The command itself, for picocli and for {@link FastPath}. */
  static int run(Path file, String packageName, Path output, PrintWriter out, PrintWriter err) {
    int code = JavaClientGenerator.generate(file, packageName, output, err);
    if (code == 0) {
      out.println("generated into " + output);
    }
    return code;
  }
}
