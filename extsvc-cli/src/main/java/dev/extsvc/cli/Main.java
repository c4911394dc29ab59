package dev.extsvc.cli;

import dev.extsvc.config.ExtsvcConfig;
import java.io.PrintWriter;
import java.time.Duration;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code extsvc} command. {@link #run} is a function from arguments to an exit code (0 ok, 1
 * failure, 2 usage), usable in-process by tests.
 */
@Command(
    name = "extsvc",
    mixinStandardHelpOptions = true,
    version = "extsvc 0.1.0-SNAPSHOT",
    description = "External Services for Java: OpenAPI callbacks, end to end.",
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes (every command):%n",
    exitCodeList = {
      "0:success; for serve and mock: stopped by Ctrl-C",
      "1:failure: a refused spec, a server that cannot be reached, a port in use, an answer other than 2xx",
      "2:usage: an unknown option, a missing or malformed argument, a request its operation's"
          + " schema refuses (invoke; --no-validate sends it)"
    },
    footer = {"", "extsvc COMMAND --help shows the options of a command."},
    subcommands = {
      CheckCommand.class,
      GenerateCommand.class,
      ServeCommand.class,
      InvokeCommand.class,
      StatusCommand.class,
      MockCommand.class,
      DemoCommand.class,
      AotTrainingCommand.class,
      AotServeTrainingCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  /** The exit code of a failure (a refused spec, a port in use, an unreachable server). */
  static final int FAILURE = 1;

  public static void main(String[] args) {
    // Helidon logs through java.util.logging; route it to the one log before anything starts.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  public static int run(PrintWriter out, PrintWriter err, String... args) {
    Integer fast = FastPath.run(out, err, args);
    if (fast != null) {
      return fast;
    }
    CommandLine cli = new CommandLine(new Main());
    // Durations read as extsvc.yaml writes them (4h, 30s, PT4H), by the configuration's own reader.
    cli.registerConverter(Duration.class, ExtsvcConfig::duration);
    cli.setOut(out);
    cli.setErr(err);
    // Every command shares the exit codes, so each one's --help lists them.
    cli.getSubcommands()
        .values()
        .forEach(
            sub ->
                sub.getCommandSpec()
                    .usageMessage()
                    .exitCodeListHeading(cli.getCommandSpec().usageMessage().exitCodeListHeading())
                    .exitCodeList(cli.getCommandSpec().usageMessage().exitCodeList()));
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // One line, no stack trace: the message says what and where (the log has the rest with
          // --verbose).
          cmd.getErr()
              .println(
                  "error: "
                      + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
          return FAILURE;
        });
    return cli.execute(args);
  }
}
