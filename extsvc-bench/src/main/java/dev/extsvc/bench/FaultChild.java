package dev.extsvc.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One incarnation of {@link FaultTarget} in a JVM of its own: started, awaited until it listens,
 * killed with SIGKILL ({@link Process#destroyForcibly()}) or left to halt itself at its fault
 * point. Its output goes to the suite's log, each line marked with the incarnation.
 */
final class FaultChild implements AutoCloseable {
  private final Process process;
  private final CountDownLatch ready = new CountDownLatch(1);
  final int incarnation;

  private FaultChild(Process process, int incarnation, PrintWriter log) {
    this.process = process;
    this.incarnation = incarnation;
    pump(process.getInputStream(), log, "out");
    pump(process.getErrorStream(), log, "err");
  }

  static FaultChild start(
      List<String> targetArgs, int incarnation, FaultPoint point, int at, PrintWriter log) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED"));
    if (point != FaultPoint.RANDOM) {
      command.add("-Dfault.point=" + point.name());
      command.add("-Dfault.at=" + at);
    }
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), FaultTarget.class.getName()));
    command.addAll(targetArgs);
    command.add(Integer.toString(incarnation));
    try {
      return new FaultChild(new ProcessBuilder(command).start(), incarnation, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fault target", e);
    }
  }

  private void pump(InputStream in, PrintWriter log, String stream) {
    Thread.ofVirtual()
        .start(
            () -> {
              try (var reader =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  if (line.startsWith("fault-target ready")) {
                    ready.countDown();
                  }
                  synchronized (log) {
                    log.println("[" + incarnation + " " + stream + "] " + line);
                    log.flush();
                  }
                }
              } catch (IOException ignored) {
                // the process is gone
              }
            });
  }

  /**
   * Waits until the server listens, or the process ends first (it may reach its fault point while
   * recovering callbacks at start); false when neither happened within {@code seconds}.
   */
  boolean awaitReadyOrExit(long seconds) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < until) {
      if (ready.await(100, TimeUnit.MILLISECONDS) || !process.isAlive()) {
        return true;
      }
    }
    return false;
  }

  /** Whether it printed that it listens. */
  boolean listening() {
    return ready.getCount() == 0;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits up to {@code millis} for the process to end by itself; true when it did. */
  boolean awaitExit(long millis) throws InterruptedException {
    return process.waitFor(millis, TimeUnit.MILLISECONDS);
  }

  /** SIGKILL, then waits for the end; returns the exit code. */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor();
  }

  int exitCode() {
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
