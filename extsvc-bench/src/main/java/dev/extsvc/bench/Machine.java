package dev.extsvc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the figures were taken on, read from /proc where Linux has it. */
record Machine(int cores, String cpu, String memory, String jdk, String os) {

  static Machine current() {
    String cpu = procLine("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch"));
    String mem =
        procLine("/proc/meminfo", "MemTotal")
            .map(
                v ->
                    String.format(
                        java.util.Locale.ROOT,
                        "%.1f GiB",
                        Long.parseLong(v.replaceAll("[^0-9]", "")) / 1048576.0))
            .orElse("?");
    String jdk =
        System.getProperty("java.vm.vendor")
            + " "
            + System.getProperty("java.vm.name")
            + " "
            + Runtime.version();
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        cpu,
        mem,
        jdk,
        System.getProperty("os.name") + " " + System.getProperty("os.version"));
  }

  /** The 1, 5 and 15 minute load averages: the machine is shared, so they say how loaded it was. */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static java.util.Optional<String> procLine(String file, String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of(file));
      return lines.stream()
          .filter(l -> l.startsWith(key))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim());
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }
}
