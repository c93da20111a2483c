package dev.ssekit.conformance.report;

import dev.ssekit.conformance.report.CheckResult.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the suite against one server: what the report files are written from.
 *
 * @param toolName the tool's name ({@link #TOOL_NAME})
 * @param toolVersion the tool's version
 * @param url the stream URL checked
 * @param publishUrl the publish contract URL, or null when none was given
 * @param startedAt when the run started
 * @param durationMs how long the run took
 * @param checks every check, in {@link CheckResult#ORDER} (the constructor sorts them)
 * @param problems things that went wrong in the suite itself rather than in a check (a check
 *     class that could not start); a run with problems is an internal error, not a verdict
 */
public record RunReport(String toolName, String toolVersion, String url, String publishUrl, Instant startedAt,
    long durationMs, List<CheckResult> checks, List<Problem> problems) {

  /** The name reports carry in {@code tool.name}. */
  public static final String TOOL_NAME = "ssekit-conformance";

  /**
   * Something that went wrong outside any check.
   *
   * @param source what failed (a check class's display name)
   * @param message why
   */
  public record Problem(String source, String message) {}

  /**
   * How many checks ended each way.
   *
   * @param passed checks that passed cleanly
   * @param failed checks that failed
   * @param warned checks that passed with a warning
   * @param skipped checks that did not apply or were not selected
   * @param info checks that ended with an advisory (neither a warning nor a failure)
   */
  public record Summary(int passed, int failed, int warned, int skipped, int info) {
    /** Counts of a run without advisories. */
    public Summary(int passed, int failed, int warned, int skipped) {
      this(passed, failed, warned, skipped, 0);
    }

    /** All checks counted. */
    public int total() {
      return passed + failed + warned + skipped + info;
    }
  }

  /** Sorts the checks into report order and copies both lists. */
  public RunReport {
    List<CheckResult> sorted = new ArrayList<>(checks);
    sorted.sort(CheckResult.ORDER);
    checks = List.copyOf(sorted);
    problems = problems == null ? List.of() : List.copyOf(problems);
    if (toolName == null) toolName = TOOL_NAME;
  }

  /** The counts per status. */
  public Summary summary() {
    int[] n = new int[Status.values().length];
    for (CheckResult c : checks) n[c.status().ordinal()]++;
    return new Summary(n[Status.PASSED.ordinal()], n[Status.FAILED.ordinal()], n[Status.WARNED.ordinal()],
        n[Status.SKIPPED.ordinal()], n[Status.INFO.ordinal()]);
  }

  /** The checks with {@code status}, in report order. */
  public List<CheckResult> checks(Status status) {
    return checks.stream().filter(c -> c.status() == status).toList();
  }

  /** True when at least one check failed: the run's verdict is a failure (exit status 1). */
  public boolean anyFailed() {
    return checks.stream().anyMatch(c -> c.status() == Status.FAILED);
  }
}
