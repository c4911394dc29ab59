package dev.extsvc.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs the JMH benchmarks of this module, each fork a run: the spread is over forks. */
final class Microbenchmarks {
  /** One benchmark's score per fork. */
  record Figure(String name, Stat score, String unit) {}

  private Microbenchmarks() {}

  static List<Figure> run(Settings settings) {
    int forks = settings.quick() ? 1 : settings.runs();
    Options options = new OptionsBuilder()
        .include(SpecBenchmarks.class.getName())
        .include(TokenBenchmarks.class.getName())
        .include(ValidationBenchmarks.class.getName())
        .include(RegistrationBenchmarks.class.getName())
        .forks(forks)
        .warmupIterations(settings.quick() ? 1 : 2)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(settings.quick() ? 2 : 3)
        .measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("-Xmx1g", "--enable-native-access=ALL-UNNAMED")
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
