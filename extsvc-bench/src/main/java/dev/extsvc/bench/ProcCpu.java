package dev.extsvc.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of processes from /proc/PID/stat, in clock ticks (utime + stime, and cutime + cstime:
 * the children a process has reaped, such as PostgreSQL backends that ended). A figure is the
 * difference of two readings around a timed window.
 */
final class ProcCpu {
  /** Linux's USER_HZ: /proc reports CPU time in hundredths of a second on every common build. */
  static final double TICKS_PER_SECOND = 100;

  private ProcCpu() {}

  /** The process's own CPU time with its reaped children's; 0 when it is gone. */
  static long ticks(long pid) {
    long[] f = fields(pid);
    return f.length == 0 ? 0 : f[11] + f[12] + f[13] + f[14];
  }

  /**
   * A process and its live children (PostgreSQL: the postmaster and its backends, background
   * writer, WAL writer and checkpointer).
   */
  static long treeTicks(long pid) {
    long total = ticks(pid);
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        long child = Long.parseLong(p.getFileName().toString());
        long[] f = fields(child);
        if (f.length > 0 && f[1] == pid) {
          total += f[11] + f[12] + f[13] + f[14];
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return total;
  }

  /**
   * The numeric fields after the command name: index 0 is field 3 (state, as 0), 1 the ppid, 11
   * utime, 12 stime, 13 cutime, 14 cstime; empty when the process is gone.
   */
  private static long[] fields(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    } catch (IOException e) {
      return new long[0];
    }
    String[] parts = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    long[] f = new long[15];
    for (int i = 1; i < f.length; i++) {
      f[i] = Long.parseLong(parts[i]);
    }
    return f;
  }
}
