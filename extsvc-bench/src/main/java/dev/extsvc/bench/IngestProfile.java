package dev.extsvc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Locale;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.jspecify.annotations.Nullable;

/**
 * A JFR recording of the timed callback phase alone (not the invocations, not the bare servers),
 * when the system property {@code bench.jfr} names a directory: {@code
 * BENCH_JAVA_OPTS=-Dbench.jfr=DIR scripts/bench ...}. Writes {@code DIR/ingest-sqlite.jfr} and so
 * on, the last run of each store winning.
 */
final class IngestProfile implements AutoCloseable {
  private final @Nullable Recording recording;
  private final @Nullable Path file;

  private IngestProfile(@Nullable Recording recording, @Nullable Path file) {
    this.recording = recording;
    this.file = file;
  }

  static IngestProfile start(StoreKind kind) {
    String dir = System.getProperty("bench.jfr");
    if (dir == null) {
      return new IngestProfile(null, null);
    }
    try {
      Recording recording = new Recording(Configuration.getConfiguration("profile"));
      // CPU-time sampling (JDK 25, Linux) says where the CPU goes even when other processes share
      // the cores;
      // the wall-clock sampler sees only threads that happen to be running.
      recording.enable("jdk.CPUTimeSample").with("throttle", "2ms");
      recording.start();
      return new IngestProfile(
          recording, Path.of(dir, "ingest-" + kind.name().toLowerCase(Locale.ROOT) + ".jfr"));
    } catch (IOException | ParseException e) {
      throw new IllegalStateException("cannot start JFR", e);
    }
  }

  @Override
  public void close() {
    if (recording == null || file == null) {
      return;
    }
    try (recording) {
      recording.stop();
      recording.dump(file);
      System.err.println("[bench] profile of the callback phase: " + file.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
