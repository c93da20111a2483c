package dev.ssekit.load.cli;

import dev.ssekit.load.sim.LoadRun;
import dev.ssekit.load.sim.RunOutcome;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * One load run for the CLI, once its options are checked and handed to the simulation as
 * system properties: runs Gatling in this JVM, takes the run's outcome from the simulation
 * Gatling built ({@link RunOutcome#take}), and has {@link RunReports} write the reports, print the
 * summary and choose the exit status. The reports are written after Gatling ends, so the page
 * links Gatling's own report.
 */
final class GatlingRun {
  private GatlingRun() {}

  /** Runs {@code scenario}'s simulation with its reports in {@code dir}; returns the exit status. */
  static int runAndReport(String scenario, Path dir, RunReports.Baseline base, PrintWriter out, PrintWriter err) {
    String simulation = LoadRun.simulationName(scenario);
    int gatling;
    Throwable crash = null;
    try {
      gatling =
          io.gatling.app.Gatling$.MODULE$.fromArgs(
              new String[] {"-s", simulation, "-rf", dir.resolve("gatling").toString(), "-rd", "ssekit load " + scenario});
    } catch (Throwable t) { // Gatling's own failures (e.g. its report generator's assertions)
      gatling = -1;
      crash = t;
    }
    RunOutcome outcome = RunOutcome.take();
    if (outcome == null || outcome.run() == null) {
      String why =
          crash != null ? "Gatling failed: " + crash
              : outcome == null ? "the simulation did not run (Gatling exit status " + gatling + ")"
              : String.valueOf(outcome.error());
      err.println("sse-loadtest: no report: " + why);
      return LoadMain.USAGE;
    }
    try {
      if (crash != null || gatling != 0) {
        return RunReports.gatlingFailed(outcome.run(), outcome.details(), dir,
            crash != null ? String.valueOf(crash) : "exit status " + gatling, out, err);
      }
      return RunReports.publish(outcome.run(), outcome.details(), dir, base, out, err);
    } catch (UncheckedIOException e) {
      err.println("sse-loadtest: no report: " + e.getMessage());
      return LoadMain.USAGE;
    }
  }
}
