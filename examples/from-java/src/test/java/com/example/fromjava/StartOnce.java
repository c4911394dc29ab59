package com.example.fromjava;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The example's code run once in a process of its own, so that FromJavaTest reads everything the
 * program prints. Arguments: spec file, data folder, port, the bank's URL (a mock the test runs).
 */
final class StartOnce {
  private StartOnce() {}

  public static void main(String[] args) throws Exception {
    String decision =
        FromJava.apply(
            Path.of(args[0]),
            Path.of(args[1]),
            args[3],
            Integer.parseInt(args[2]),
            "Alice",
            Duration.ofSeconds(20));
    System.out.println(decision);
  }
}
