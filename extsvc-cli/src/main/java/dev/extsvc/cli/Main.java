package dev.extsvc.cli;

import java.io.PrintWriter;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code extsvc} command. {@link #run} is a function from arguments to an exit code (0 ok, 1 failure, 2 usage),
 * usable in-process by tests.
 */
@Command(
    name = "extsvc",
    mixinStandardHelpOptions = true,
    version = "extsvc 0.1.0-SNAPSHOT",
    description = "External Services for Java: OpenAPI callbacks, end to end.",
    subcommands = {
      CheckCommand.class,
      GenerateCommand.class,
      ServeCommand.class,
      InvokeCommand.class,
      StatusCommand.class,
      MockCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  public static void main(String[] args) {
    // Helidon logs through java.util.logging; route it to the one log before anything starts.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      return 1;
    });
    return cli.execute(args);
  }
}
