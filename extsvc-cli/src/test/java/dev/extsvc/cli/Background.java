package dev.extsvc.cli;

import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A long-running command (serve, mock, demo --keep-running) run in-process on its own thread: await
 * a line of its output, then stop it as Ctrl-C would (an interrupt), bounded in time.
 */
final class Background implements AutoCloseable {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final AtomicInteger code = new AtomicInteger(-1);
  private final Thread thread;

  private Background(String... args) {
    thread =
        Thread.ofPlatform()
            .name("extsvc " + args[0])
            .start(
                () ->
                    code.set(
                        Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args)));
  }

  static Background start(String... args) {
    return new Background(args);
  }

  /**
   * Waits until the output contains the text (or the command ended, which fails with its output).
   */
  Background awaitOut(String text) {
    await().atMost(Duration.ofSeconds(60)).until(() -> out().contains(text) || !thread.isAlive());
    if (!out().contains(text)) {
      throw new AssertionError(
          "ended with " + code.get() + " before printing '" + text + "':\n" + out() + err());
    }
    return this;
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }

  /** Stops the command as Ctrl-C would and returns its exit code. */
  int stop() throws InterruptedException {
    thread.interrupt();
    thread.join(Duration.ofSeconds(30));
    if (thread.isAlive()) {
      throw new AssertionError("still running 30 s after the interrupt");
    }
    return code.get();
  }

  @Override
  public void close() throws InterruptedException {
    if (thread.isAlive()) {
      stop();
    }
  }
}
