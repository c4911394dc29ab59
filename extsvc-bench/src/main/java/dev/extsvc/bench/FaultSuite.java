package dev.extsvc.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The kill -9 fault suite ({@code scripts/fault-suite}): on each store, the server killed again and
 * again at the points of the callback path while retrying senders deliver every callback, then the
 * store made unavailable; the run fails unless every callback is delivered, none lost, none
 * doubled, every invocation in one final state, and no token in the server's log. Writes its tables
 * to {@code extsvc-bench/target/fault-suite.md}.
 */
public final class FaultSuite {
  /** Suite settings; {@link #quick()} is the short version the build runs. */
  record Options(
      List<StoreKind> stores,
      int kills,
      int callbacks,
      int senders,
      int outageSeconds,
      int drainSeconds,
      long seed,
      Path work) {
    static Options quick(Path work) {
      return new Options(List.of(StoreKind.SQLITE), 5, 40, 4, 0, 90, 7, work);
    }
  }

  private FaultSuite() {}

  public static void main(String[] args) throws Exception {
    List<StoreKind> stores = new ArrayList<>(List.of(StoreKind.SQLITE, StoreKind.POSTGRESQL));
    int kills = 105;
    int callbacks = 2000;
    int senders = 8;
    int outage = 8;
    long seed = System.currentTimeMillis();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--store" -> stores = List.of(StoreKind.valueOf(args[++i].toUpperCase(Locale.ROOT)));
        case "--kills" -> kills = Integer.parseInt(args[++i]);
        case "--callbacks" -> callbacks = Integer.parseInt(args[++i]);
        case "--senders" -> senders = Integer.parseInt(args[++i]);
        case "--outage" -> outage = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--quick" -> {
          kills = 7;
          callbacks = 200;
          outage = 4;
        }
        default -> {
          System.err.println(
              "usage: scripts/fault-suite [--store sqlite|postgresql] [--kills N] [--callbacks N]"
                  + " [--senders N] [--outage SECONDS] [--seed N] [--quick]");
          System.exit(2);
        }
      }
    }
    Path work = Path.of("extsvc-bench/target/fault");
    Options options = new Options(stores, kills, callbacks, senders, outage, 300, seed, work);
    StringBuilder report = new StringBuilder();
    report
        .append("Fault suite, ")
        .append(
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .format(Instant.now().atOffset(ZoneOffset.UTC)))
        .append(", seed ")
        .append(seed)
        .append(", ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, JDK ")
        .append(Runtime.version())
        .append("\n\n");
    boolean ok = true;
    for (StoreKind kind : stores) {
      System.err.println(
          "[fault-suite] " + kind.label + ": " + kills + " kills, " + callbacks + " callbacks");
      FaultFigures f = new FaultRun(options, kind).run();
      report.append(f.markdown()).append('\n');
      List<String> problems = f.problems();
      report.append(
          problems.isEmpty()
              ? "Verdict: nothing lost, nothing doubled.\n\n"
              : "Verdict: FAILED: " + String.join("; ", problems) + "\n\n");
      ok &= problems.isEmpty();
      System.err.println(f.markdown());
      System.err.println(
          problems.isEmpty()
              ? "[fault-suite] " + kind.label + ": OK"
              : "[fault-suite] FAILED: " + problems);
    }
    Files.createDirectories(work);
    Path out = work.toAbsolutePath().resolveSibling("fault-suite.md");
    Files.writeString(out, report);
    System.err.println("[fault-suite] tables in " + out);
    System.exit(ok ? 0 : 1);
  }
}
