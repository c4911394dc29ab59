package dev.extsvc.runtime.credentials;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A reference to a secret: an environment variable, a file, or (from code) a value. It is read each
 * time a callout needs it, so a rotated file is picked up without a restart; {@link #toString()}
 * shows where it comes from, never the value.
 */
public final class Secret {
  private final String source;
  private final Supplier<String> reader;

  private Secret(String source, Supplier<String> reader) {
    this.source = source;
    this.reader = reader;
  }

  /** The value of an environment variable of this process. */
  public static Secret env(String name) {
    return env(name, System::getenv);
  }

  /**
   * The value of a variable in the given environment (a configuration loader passes the one it was
   * given).
   */
  public static Secret env(String name, Function<String, @Nullable String> environment) {
    requireName(name);
    Objects.requireNonNull(environment, "environment");
    return new Secret(
        "${env:" + name + "}",
        () -> {
          String v = environment.apply(name);
          if (v == null || v.isEmpty()) {
            throw new SecretUnavailableException("environment variable " + name + " is not set");
          }
          return v;
        });
  }

  /** The content of a file, without trailing line breaks (as secret files are often written). */
  public static Secret file(Path path) {
    Objects.requireNonNull(path, "path");
    return new Secret(
        "${file:" + path + "}",
        () -> {
          try {
            String v = Files.readString(path, StandardCharsets.UTF_8).stripTrailing();
            if (v.isEmpty()) {
              throw new SecretUnavailableException("secret file " + path + " is empty");
            }
            return v;
          } catch (IOException e) {
            throw new SecretUnavailableException(
                "cannot read secret file " + path + ": " + e.getClass().getSimpleName());
          }
        });
  }

  /**
   * A value held in memory, for applications that fetch secrets themselves (a vault client, a
   * test).
   */
  public static Secret of(String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a secret cannot be empty");
    }
    return new Secret("(a value given in code)", () -> value);
  }

  /**
   * Parses a reference as written in configuration: {@code ${env:NAME}} or {@code ${file:/path}}.
   *
   * @throws IllegalArgumentException for anything else; the message does not repeat the text, which
   *     may be a secret written where a reference belongs
   */
  public static Secret parse(String reference, Function<String, @Nullable String> environment) {
    String r = reference.strip();
    if (r.startsWith("${env:") && r.endsWith("}")) {
      return env(r.substring(6, r.length() - 1), environment);
    }
    if (r.startsWith("${file:") && r.endsWith("}") && r.length() > 8) {
      return file(Path.of(r.substring(7, r.length() - 1)));
    }
    throw new IllegalArgumentException(
        "a secret is written as ${env:NAME} or ${file:/path}, never as the value itself");
  }

  /** Reads the secret now. */
  public String value() {
    return reader.get();
  }

  /** Where the secret comes from, e.g. "${env:ACME_TOKEN}". */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }

  private static void requireName(String name) {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("'" + name + "' is not an environment variable name");
    }
  }
}
