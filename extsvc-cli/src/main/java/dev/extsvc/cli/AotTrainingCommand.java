package dev.extsvc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The workload the launcher records its ahead-of-time class cache from: {@code check} (text and
 * JSON) and {@code generate} of the bundled Acme spec into a scratch directory, in this one JVM, so
 * that the classes both commands load are in the cache. Hidden: only {@code ./extsvc} runs it.
 */
@Command(
    name = "aot-training",
    hidden = true,
    description = "Runs check and generate on the bundled example (the launcher's AOT cache).")
final class AotTrainingCommand implements Callable<Integer> {
  @Parameters(paramLabel = "DIR", description = "scratch directory, created when missing")
  Path dir;

  @Override
  public Integer call() throws IOException {
    Path spec = bundledSpec(dir);
    String file = spec.toString();
    String out = dir.resolve("src").toString();
    int worst = 0;
    for (String[] args :
        new String[][] {
          {"check", file},
          {"check", "--format", "json", file},
          {"generate", file, "--package", "com.example.training", "--output", out}
        }) {
      // The output is not for anyone: the runs are only there to load and link the classes.
      StringWriter sink = new StringWriter();
      try (PrintWriter w = new PrintWriter(sink)) {
        worst = Math.max(worst, Main.run(w, w, args));
      } catch (UncheckedIOException e) {
        return Main.FAILURE;
      }
    }
    return worst;
  }

  /** The bundled Acme spec, copied into {@code dir} (created when missing) for a training run. */
  static Path bundledSpec(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path spec = dir.resolve("acme-mortgages.json");
    try (InputStream in =
        Objects.requireNonNull(
            AotTrainingCommand.class.getResourceAsStream("acme-mortgages.json"),
            "acme-mortgages.json is bundled with the CLI")) {
      Files.copy(in, spec, StandardCopyOption.REPLACE_EXISTING);
    }
    return spec;
  }
}
