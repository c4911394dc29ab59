package dev.extsvc.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * wrk, the load generator, in a process of its own: one window of load with the harness's Lua
 * script ({@code wrk/paths.lua}), read back from the lines its {@code done()} prints. wrk runs
 * under {@code sh}, which prints its own /proc stat after wrk exits: the shell's reaped-children
 * CPU time is wrk's.
 */
final class Wrk {
  /** Threads and connections of every window: the issue's {@code wrk -t2 -c64}. */
  static final int THREADS = 2;

  static final int CONNECTIONS = 64;

  /** One thread's share of a "once" window: how many of its lines it sent, and beyond them. */
  record ThreadSent(int id, long sent, long overrun) {}

  /**
   * What one window measured.
   *
   * @param requests answered requests
   * @param seconds the window as wrk timed it
   * @param non2xx answers that were not 2xx or 3xx
   * @param socketErrors connect, read, write errors and timeouts
   * @param cpuTicks wrk's own CPU time, clock ticks
   */
  record Result(
      long requests,
      double seconds,
      long non2xx,
      long socketErrors,
      double p50Millis,
      double p99Millis,
      List<ThreadSent> threads,
      long cpuTicks) {
    double perSecond() {
      return requests / seconds;
    }

    long overrun() {
      return threads.stream().mapToLong(ThreadSent::overrun).sum();
    }
  }

  private final String binary;
  private final Path script;

  private Wrk(String binary, Path script) {
    this.binary = binary;
    this.script = script;
  }

  /**
   * wrk from {@code -Dbench.wrk} (scripts/bench passes the one it found or installed), else from
   * the PATH; the script copied into the work directory.
   */
  static Wrk prepare(Path work) {
    String binary = System.getProperty("bench.wrk", "wrk");
    Path script = work.resolve("paths.lua");
    try (InputStream in = Wrk.class.getResourceAsStream("/wrk/paths.lua")) {
      if (in == null) {
        throw new IllegalStateException("wrk/paths.lua is not on the class path");
      }
      Files.createDirectories(work);
      Files.write(script, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Wrk(binary, script);
  }

  /** Whether wrk can be run at all (for the build's check, which needs it). */
  static boolean available() {
    try {
      Process p =
          new ProcessBuilder(System.getProperty("bench.wrk", "wrk"), "--version")
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * One window of load: {@code mode} "once" or "cycle" over the paths in {@code paths}, each a POST
   * with {@code body}, to {@code baseUrl}.
   */
  Result run(String baseUrl, String mode, Path paths, Path body, Duration window) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "\"$0\" \"$@\"; rc=$?; echo \"wrk.stat $(cat /proc/$$/stat)\"; exit $rc",
                binary,
                "-t" + THREADS,
                "-c" + CONNECTIONS,
                "-d" + Math.max(1, window.toSeconds()) + "s",
                "--timeout",
                "30s",
                "-s",
                script.toString(),
                "--",
                baseUrl,
                mode,
                paths.toString(),
                body.toString(),
                Integer.toString(THREADS)));
    String out;
    int exit;
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(window.toSeconds() + 120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("wrk did not end: " + out);
      }
      exit = p.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while wrk ran", e);
    }
    if (exit != 0) {
      throw new IllegalStateException("wrk exited with " + exit + ":\n" + out);
    }
    return parse(out);
  }

  static Result parse(String out) {
    Map<String, String> values = new HashMap<>();
    List<ThreadSent> threads = new ArrayList<>();
    long cpu = -1;
    for (String line : out.split("\n")) {
      if (line.startsWith("wrk.thread ")) {
        String[] p = line.split(" ");
        threads.add(
            new ThreadSent(Integer.parseInt(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3])));
      } else if (line.startsWith("wrk.stat ")) {
        // fields after the command's closing parenthesis; cutime and cstime are fields 16 and 17
        String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
        cpu = Long.parseLong(f[13]) + Long.parseLong(f[14]);
      } else if (line.startsWith("wrk.")) {
        int space = line.indexOf(' ');
        if (space > 0) {
          values.put(line.substring(4, space), line.substring(space + 1).trim());
        }
      }
    }
    if (cpu < 0) {
      throw new IllegalStateException("wrk said nothing the harness can read:\n" + out);
    }
    return new Result(
        number(values, "requests", out),
        number(values, "duration_us", out) / 1e6,
        number(values, "non2xx", out),
        number(values, "socket_errors", out),
        number(values, "p50_us", out) / 1e3,
        number(values, "p99_us", out) / 1e3,
        List.copyOf(threads),
        cpu);
  }

  private static long number(Map<String, String> values, String key, String out) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalStateException("wrk printed no " + key + ":\n" + out);
    }
    return Long.parseLong(v);
  }
}
