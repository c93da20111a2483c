package dev.ssekit.conformance.report;

import dev.ssekit.conformance.report.CheckResult.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Collects the outcome of every check in a run, with the evidence, notes and warnings the checks
 * published as report entries, and makes the {@link RunReport} the report writers read.
 *
 * <p>Status mapping: a check that succeeded is {@code passed}, or {@code warned} when it published
 * an {@code ssekit.warning}, or {@code info} when it ended with an {@code ssekit.info} advisory
 * (and no warning); one that failed is {@code failed} with the failure's message; one that
 * was aborted (a failed assumption: the check does not apply) or disabled (profile, no publish URL)
 * is {@code skipped} with the reason. Checks under a container that was skipped, aborted or failed
 * are skipped with that reason; a failed container is also recorded as a {@link #problems()
 * problem}, an error of the suite rather than of the server.
 *
 * <p>It is the run's one listener: its tracker decides each check's result once, and every
 * {@link Listener} (the console's progress lines) is told the same result as it happens, so the
 * console and the reports cannot disagree.
 *
 * <p>Thread-safe: register it with the launcher while checks run in parallel; read it once the
 * run is over.
 */
public final class ResultCollector implements TestExecutionListener {

  /** Told each result as the run goes, from the thread of the check that ended. */
  public interface Listener {
    /** A check ended (or was skipped) with {@code result}. */
    void checkEnded(CheckResult result);

    /** A failure outside any check: a check class that could not start, say. */
    void problem(RunReport.Problem problem);
  }

  private final CheckTracker tracker = new CheckTracker();
  private final List<Listener> listeners;
  private final ConcurrentLinkedQueue<CheckResult> results = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<RunReport.Problem> problems = new ConcurrentLinkedQueue<>();

  /** An empty collector, ready to be registered with a launcher for one run, telling {@code listeners} as it goes. */
  public ResultCollector(Listener... listeners) {
    this.listeners = List.of(listeners);
  }

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    tracker.planStarted(testPlan);
  }

  @Override
  public void executionStarted(TestIdentifier testIdentifier) {
    tracker.started(testIdentifier);
  }

  @Override
  public void reportingEntryPublished(TestIdentifier testIdentifier, ReportEntry entry) {
    tracker.entry(testIdentifier, entry);
  }

  @Override
  public void executionSkipped(TestIdentifier testIdentifier, String reason) {
    accept(tracker.skipped(testIdentifier, reason));
  }

  @Override
  public void executionFinished(TestIdentifier testIdentifier, TestExecutionResult testExecutionResult) {
    accept(tracker.finished(testIdentifier, testExecutionResult));
  }

  /**
   * A check that ran outside the launcher (the browser view, after the checks so its connections
   * never disturb theirs): recorded and told to the listeners like any other, so it is in every
   * report and decides the exit status by the same rule.
   */
  public void checkEnded(CheckResult result) {
    accept(new CheckTracker.Update(List.of(result), null));
  }

  private void accept(CheckTracker.Update update) {
    results.addAll(update.results());
    if (update.problem() != null) problems.add(update.problem());
    for (Listener l : listeners) {
      for (CheckResult r : update.results()) l.checkEnded(r);
      if (update.problem() != null) l.problem(update.problem());
    }
  }

  /**
   * The report of the run so far (normally called once the launcher returns).
   *
   * @param toolVersion the tool's version
   * @param url the stream URL checked
   * @param publishUrl the publish contract URL, or null
   * @param startedAt when the run started
   * @param durationMs how long it took
   * @return the checks in report order, with the problems outside checks
   */
  public RunReport report(String toolVersion, String url, String publishUrl, Instant startedAt, long durationMs) {
    return new RunReport(RunReport.TOOL_NAME, toolVersion, url, publishUrl, startedAt, durationMs, results(),
        problems());
  }

  /** Every check that ended so far, in report order. */
  public List<CheckResult> results() {
    List<CheckResult> out = new ArrayList<>(results);
    out.sort(CheckResult.ORDER);
    return List.copyOf(out);
  }

  /** Failures outside any check (a check class that could not start), in the order they happened. */
  public List<RunReport.Problem> problems() {
    return List.copyOf(problems);
  }

  /** True when at least one check failed. */
  public boolean anyCheckFailed() {
    return results.stream().anyMatch(r -> r.status() == Status.FAILED);
  }

  /**
   * True when at least one check actually ran (started), whatever its outcome. False when nothing
   * was selected or every check was disabled: a run that proves nothing.
   */
  public boolean anyCheckRan() {
    return tracker.startedCount() > 0;
  }

  /** True when a container (engine or check class) failed: an internal error, not a finding. */
  public boolean anyContainerFailed() {
    return !problems.isEmpty();
  }

  /**
   * The verdict as an exit status: 0 when no check failed, 1 when at least one did. Warnings,
   * advisories and skips do not fail a run. Mapping "nothing ran" and {@link #anyContainerFailed() internal
   * errors} to status 2 is the caller's decision.
   */
  public int exitStatus() {
    return anyCheckFailed() ? 1 : 0;
  }
}
