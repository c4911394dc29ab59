package dev.extsvc.bench.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.jspecify.annotations.Nullable;

/**
 * One {@code extsvc serve} node of the suite: its port, its clock offset (through libfaketime,
 * preloaded into the JVM itself so that the JVM is the process the suite signals), and the process
 * of its current incarnation. Kill is SIGKILL; pause is SIGSTOP, resume SIGCONT.
 */
final class Node {
  enum State {
    UP,
    STARTING,
    DEAD,
    PAUSED
  }

  final String name;
  final int port;
  final String clockOffset; // "" for the real clock, else faketime's "+10m" / "-10m"
  private final Launch launch;
  private @Nullable Process process;
  volatile State state = State.DEAD;
  int incarnations;

  /** How a node is started: everything but its name, port and clock. */
  record Launch(
      String java,
      String classPath,
      String jdbcUrl,
      String dbUser,
      Path config,
      List<String> extraArgs,
      @Nullable String faketimeLib,
      Path logDir) {}

  Node(String name, int port, String clockOffset, Launch launch) {
    this.name = name;
    this.port = port;
    this.clockOffset = clockOffset;
    this.launch = launch;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  Path log() {
    return launch.logDir().resolve(name + ".log");
  }

  /** Starts a new incarnation (output appended to the node's log); does not wait for it. */
  synchronized void start() {
    incarnations++;
    List<String> command =
        new ArrayList<>(
            List.of(
                launch.java(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Dcluster.node=" + name,
                "-Dcluster.db=" + launch.jdbcUrl(),
                "-cp",
                launch.classPath(),
                "dev.extsvc.cli.Main",
                "serve",
                "--config",
                launch.config().toString(),
                "--postgres-url",
                launch.jdbcUrl(),
                "--postgres-user",
                launch.dbUser(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port)));
    command.addAll(launch.extraArgs().stream().map(a -> a.replace("{node}", name)).toList());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    if (!clockOffset.isEmpty() && launch.faketimeLib() != null) {
      Map<String, String> env = pb.environment();
      env.put("LD_PRELOAD", launch.faketimeLib());
      env.put("FAKETIME", clockOffset);
      // the JVM needs real monotonic time (it would hang or spin otherwise); wall clock only
      env.put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
      env.put("FAKETIME_FORCE_MONOTONIC_FIX", "0");
    }
    try {
      Files.writeString(
          log(),
          "=== incarnation "
              + incarnations
              + " clock "
              + (clockOffset.isEmpty() ? "real" : clockOffset)
              + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      Process started = pb.start();
      process = started;
      // for the script's trap, should this driver die without stopping its nodes
      Files.writeString(
          launch.logDir().resolve("node.pids"),
          started.pid() + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + name, e);
    }
    state = State.STARTING;
  }

  /** Waits until the node answers its health check, the process exits, or the time is up. */
  boolean awaitUp(HttpClient http, Duration limit) throws InterruptedException {
    long until = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < until) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        state = State.DEAD;
        return false;
      }
      if (healthy(http)) {
        state = State.UP;
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  boolean healthy(HttpClient http) throws InterruptedException {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url() + "/api/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  boolean exited() {
    Process p = process;
    return p != null && !p.isAlive();
  }

  /** SIGKILL, and waits (bounded) until the process is gone. */
  synchronized void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      signal("CONT"); // a stopped process dies on SIGKILL too, but its children would not
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    state = State.DEAD;
  }

  /** SIGTERM: the node drains and exits by itself; does not wait. */
  void terminate() {
    signal("TERM");
    state = State.STARTING; // neither up nor a fault's target while it drains
  }

  void pause() {
    signal("STOP");
    state = State.PAUSED;
  }

  void resume() {
    signal("CONT");
    state = State.UP;
  }

  /** At the end: SIGCONT, SIGTERM, then SIGKILL after 15 s. */
  synchronized void stop() throws InterruptedException {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    signal("CONT");
    p.destroy();
    if (!p.waitFor(15, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    state = State.DEAD;
  }

  private void signal(String name) {
    long pid = pid();
    if (pid <= 0) {
      return;
    }
    try {
      Process k = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
      k.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException("kill -" + name + " " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last lines of the node's current incarnation's log, for an error message. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log());
      int from = 0;
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i).startsWith("=== incarnation ")) {
          from = i;
        }
      }
      return String.join("\n", all.subList(Math.max(from, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
