package dev.extsvc.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of this module, each fork a run: the spread is over forks. JMH runs in a
 * JVM of its own (its forks could not reach back to a harness JVM that had run the load tests),
 * which prints one {@code jmh:name|unit|score,score,...} line per benchmark.
 */
final class Microbenchmarks {
  /** One benchmark's score per fork. */
  record Figure(String name, Stat score, String unit) {}

  private Microbenchmarks() {}

  /** Arguments: quick (true/false), forks. */
  public static void main(String[] args) {
    for (Figure f : runHere(Boolean.parseBoolean(args[0]), Integer.parseInt(args[1]))) {
      System.out.println(
          "jmh:"
              + f.name()
              + "|"
              + f.unit()
              + "|"
              + f.score().median()
              + ","
              + f.score().min()
              + ","
              + f.score().max()
              + ","
              + f.score().runs());
    }
  }

  static List<Figure> run(Settings settings) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        List.of(
            java,
            "-Xmx512m",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            Microbenchmarks.class.getName(),
            Boolean.toString(settings.quick()),
            Integer.toString(settings.quick() ? 1 : settings.runs()));
    List<Figure> figures = new ArrayList<>();
    try {
      Process process =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      CompletableFuture.runAsync(
          process::destroyForcibly, CompletableFuture.delayedExecutor(30, TimeUnit.MINUTES));
      try (var out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("jmh:")) {
            String[] parts = line.substring(4).split("\\|");
            String[] s = parts[2].split(",");
            figures.add(
                new Figure(
                    parts[0],
                    new Stat(
                        Double.parseDouble(s[0]),
                        Double.parseDouble(s[1]),
                        Double.parseDouble(s[2]),
                        Integer.parseInt(s[3])),
                    parts[1]));
          } else {
            System.err.println(line);
          }
        }
      }
      if (process.waitFor() != 0) {
        throw new IllegalStateException("JMH failed with exit code " + process.exitValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return figures;
  }

  private static List<Figure> runHere(boolean quick, int forks) {
    Options options =
        new OptionsBuilder()
            .include(SpecBenchmarks.class.getName())
            .include(TokenBenchmarks.class.getName())
            .include(ValidationBenchmarks.class.getName())
            .include(RegistrationBenchmarks.class.getName())
            .forks(forks)
            .warmupIterations(quick ? 1 : 2)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(quick ? 2 : 3)
            .measurementTime(TimeValue.seconds(1))
            .jvmArgs("-Xmx1g", "--enable-native-access=ALL-UNNAMED")
            .shouldFailOnError(true)
            .build();
    Collection<RunResult> results;
    try {
      results = new Runner(options).run();
    } catch (RunnerException e) {
      throw new IllegalStateException("JMH failed", e);
    }
    List<Figure> figures = new ArrayList<>();
    for (RunResult result : results) {
      List<Double> perFork = new ArrayList<>();
      for (BenchmarkResult fork : result.getBenchmarkResults()) {
        perFork.add(fork.getPrimaryResult().getScore());
      }
      String name = result.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      figures.add(new Figure(name, Stat.of(perFork), result.getPrimaryResult().getScoreUnit()));
    }
    return figures;
  }
}
