package dev.extsvc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server the harness measures, in a JVM of its own started with the JDK and class path the
 * harness runs on; its output goes to a log file, and it is stopped by its process id (SIGTERM,
 * then SIGKILL after 20 s).
 */
final class Child implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private Child(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code mainClass} with {@code args}; does not wait for it to listen. */
  static Child java(
      String name,
      Path logDir,
      List<String> jvmFlags,
      Map<String, String> env,
      String mainClass,
      List<String> args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    return command(name, logDir, command, env);
  }

  /**
   * Starts {@code command} (a script that ends by exec'ing its JVM, so that the pid is the JVM's);
   * does not wait for it to listen.
   */
  static Child command(String name, Path logDir, List<String> command, Map<String, String> env) {
    Path log = logDir.resolve(name.replaceAll("[^A-Za-z0-9.-]+", "-") + ".log");
    try {
      Files.createDirectories(logDir);
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      return new Child(name, pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** Waits until the port accepts connections; fails when the process exits or time is up. */
  Child awaitListening(int port, Duration limit) {
    awaitUntil(limit, () -> connects(port));
    return this;
  }

  /** Waits until {@code url} answers 200. */
  Child awaitHealthy(String url, Duration limit) {
    try (HttpClient http = HttpClient.newHttpClient()) {
      awaitUntil(limit, () -> answers200(http, url));
    }
    return this;
  }

  private interface Probe {
    boolean ok() throws InterruptedException;
  }

  private void awaitUntil(Duration limit, Probe probe) {
    long until = System.nanoTime() + limit.toNanos();
    try {
      while (System.nanoTime() < until) {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited with " + process.exitValue() + tail());
        }
        if (probe.ok()) {
          return;
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + name + " started", e);
    }
    throw new IllegalStateException(name + " did not start within " + limit + tail());
  }

  private static boolean connects(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean answers200(HttpClient http, String url) throws InterruptedException {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return "; last lines of "
          + log
          + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
