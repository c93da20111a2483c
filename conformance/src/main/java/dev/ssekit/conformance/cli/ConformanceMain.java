package dev.ssekit.conformance.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar sse-conformance.jar <command>}. Exit status: 0 success; 1 the input or the
 * server failed (a finding); 2 bad usage or an internal error.
 */
@Command(name = "sse-conformance", mixinStandardHelpOptions = true, versionProvider = ConformanceMain.Version.class,
    description = "The ssekit conformance suite for Server-Sent Events.",
    subcommands = {ParseCommand.class})
public final class ConformanceMain implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new ConformanceMain());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("error: internal error: " + e);
      return 2;
    });
    cli.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("error: " + ex.getMessage());
      ex.getCommandLine().getErr().println("Try --help for the options.");
      return 2;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    // No subcommand: the checks against a URL arrive with the rest of the suite; say what exists.
    spec.commandLine().getErr().println("error: name a command: 'parse FILE|-' (the checks against a URL are not part of this build yet)");
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ConformanceMain.class.getPackage().getImplementationVersion();
      return new String[] {"ssekit conformance " + (v == null ? "(development build)" : v)};
    }
  }
}
