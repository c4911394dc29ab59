package dev.extsvc.cli;

import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The common, well-formed {@code generate} and {@code check} command lines, run without picocli.
 * picocli's classes are Java 5 class files, which the JDK's ahead-of-time cache does not take, and
 * building its model of every command by reflection cost more than generating the Acme client: a
 * short command spent most of its time there. Anything this does not recognise exactly (help,
 * version, an unknown or repeated option, an {@code @file}, a value that looks like an option, a
 * missing argument) goes to picocli as before, so that usage errors and help read as they always
 * did; what it does run gives the same output and exit code.
 */
final class FastPath {
  private static final Set<String> GENERATE_OPTIONS = Set.of("--package", "--output");
  private static final Set<String> CHECK_OPTIONS = Set.of("--format", "--name");
  private static final Set<String> CHECK_FLAGS = Set.of("--all-operations");

  private FastPath() {}

  /** The exit code of the command, or null when picocli must read these arguments. */
  static @Nullable Integer run(PrintWriter out, PrintWriter err, String... args) {
    if (args.length == 0) {
      return null;
    }
    boolean generate = args[0].equals("generate");
    if (!generate && !args[0].equals("check")) {
      return null;
    }
    Parsed parsed =
        generate
            ? parse(args, GENERATE_OPTIONS, Set.of())
            : parse(args, CHECK_OPTIONS, CHECK_FLAGS);
    if (parsed == null) {
      return null;
    }
    Path spec = path(parsed.positional());
    if (spec == null) {
      return null;
    }
    if (generate) {
      String packageName = parsed.options().get("--package");
      String output = parsed.options().get("--output");
      Path outputDir = output == null ? null : path(output);
      if (packageName == null || outputDir == null) {
        return null; // picocli says which required option is missing
      }
      return guarded(() -> GenerateCommand.run(spec, packageName, outputDir, out, err), out, err);
    }
    String format = parsed.options().getOrDefault("--format", "text");
    if (!format.equals("text") && !format.equals("json")) {
      return null; // picocli's usage error, with the usage
    }
    String name = parsed.options().get("--name");
    boolean allOperations = parsed.flags().contains("--all-operations");
    return guarded(() -> CheckCommand.run(spec, name, format, allOperations, out), out, err);
  }

  /** Runs a command as picocli would: an exception is one line on {@code err}, exit 1. */
  private static int guarded(IntSupplier command, PrintWriter out, PrintWriter err) {
    try {
      return command.getAsInt();
    } catch (RuntimeException e) {
      // as Main's execution exception handler: no stack trace (the message says what and where)
      err.println(
          "error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      return Main.FAILURE;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The arguments after the command name: one positional, options each at most once. */
  private record Parsed(String positional, Map<String, String> options, Set<String> flags) {}

  private static @Nullable Parsed parse(String[] args, Set<String> options, Set<String> flags) {
    String positional = null;
    Map<String, String> values = new HashMap<>();
    Set<String> given = new HashSet<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("@")) {
        return null; // picocli reads arguments from that file
      }
      if (!arg.startsWith("-")) {
        if (positional != null) {
          return null; // one SPEC only: picocli's error
        }
        positional = arg;
        continue;
      }
      int eq = arg.indexOf('=');
      String option = eq < 0 ? arg : arg.substring(0, eq);
      if (flags.contains(option) && eq < 0) {
        if (!given.add(option)) {
          return null;
        }
        continue;
      }
      if (!options.contains(option) || !given.add(option)) {
        return null; // help, version, "--", unknown or repeated: picocli decides
      }
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        return null; // a missing value: picocli's error
      }
      if (value.isEmpty() || value.startsWith("-") || value.startsWith("@")) {
        return null;
      }
      values.put(option, value);
    }
    return positional == null ? null : new Parsed(positional, values, given);
  }

  private static @Nullable Path path(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      return null; // picocli reports the conversion
    }
  }
}
