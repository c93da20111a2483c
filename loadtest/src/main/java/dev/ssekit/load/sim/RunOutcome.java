package dev.ssekit.load.sim;

import dev.ssekit.load.report.CapacityReport;
import dev.ssekit.load.report.RunRecord;
import dev.ssekit.load.report.Summary;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a run produced: everything it measured and the scenario's extra summary lines, or the
 * error that stopped it. The run writes no report for the CLI: the CLI writes them, once, from
 * this.
 *
 * <p>It reaches the CLI through {@link #take}, a static hand-over, because Gatling builds the
 * simulation itself: the CLI names the simulation class ({@code -s}) and Gatling instantiates it
 * with its no-argument constructor, so the CLI never holds the {@link LoadRun} whose outcome it
 * needs. The run leaves its outcome here when it finishes, in this JVM, and the CLI takes it once
 * Gatling returns. Nothing else is handed over this way.
 *
 * @param run what the run measured, or null when it failed
 * @param details the scenario's lines for the text summary, each without its line break
 * @param error why the run could not finish its record, or null
 */
public record RunOutcome(RunRecord run, List<String> details, Throwable error) {
  private static final AtomicReference<RunOutcome> LAST = new AtomicReference<>();

  public RunOutcome {
    details = List.copyOf(details);
  }

  /** The run's report ({@code capacity.json}'s content), or null when the run failed. */
  public CapacityReport report() {
    return run == null ? null : run.capacity();
  }

  /** The text summary of the report. */
  public String summary(String reportDir) {
    return Summary.text(report(), details, reportDir);
  }

  /** The outcome of the run that finished last in this JVM and was not taken yet, or null; taking it clears it. */
  public static RunOutcome take() {
    return LAST.getAndSet(null);
  }

  /** A run starts: an outcome left from an earlier run in this JVM is not this one's. */
  static void clear() {
    LAST.set(null);
  }

  /** A run finished with {@code outcome}. */
  static void handOver(RunOutcome outcome) {
    LAST.set(outcome);
  }
}
