package dev.ssekit.conformance.report;

import dev.ssekit.conformance.report.CheckResult.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param run how the run was made (profile, strict, window, browser, options), or null when unknown
 */
public record RunReport(String toolName, String toolVersion, String url, String publishUrl, Instant startedAt,
    long durationMs, List<CheckResult> checks, List<Problem> problems, Run run) {

  /**
   * How a run was made, so a report says what it proves: a {@code quick} run's report must not
   * read like a {@code full} one's.
   *
   * @param profile quick, standard or full
   * @param strict whether SHOULD violations failed
   * @param windowMs the shared recording's window in ms (the run's {@code --window}, or the profile's)
   * @param windowGiven true when {@code --window} set it, false for the profile's default
   * @param browser the browser view, or null when {@code --browser} was not given
   * @param options the tool's command line as given (header values replaced by {@code …})
   */
  public record Run(String profile, boolean strict, long windowMs, boolean windowGiven, Browser browser,
      List<String> options) {
    public Run {
      options = options == null ? List.of() : List.copyOf(options);
    }

    /** The window as the CLI writes durations: {@code 500ms}, {@code 3s}, {@code 2m}. */
    public String window() {
      return duration(windowMs);
    }

    /** {@code ms} as the CLI writes durations. */
    public static String duration(long ms) {
      if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
      if (ms % 1000 == 0 && ms > 0) return ms / 1000 + "s";
      return ms + "ms";
    }

    /** The checks a profile leaves out say so in their skip reason ({@code runs in the full profile}). */
    public static boolean leftOutByProfile(CheckResult c) {
      return c.status() == Status.SKIPPED && c.message() != null && c.message().matches("runs in the \\w+ profile");
    }

    /** The delivery checks {@code quick} left out to keep its time say so in their skip reason. */
    public static boolean leftOutByBudget(CheckResult c) {
      return c.status() == Status.SKIPPED && c.message() != null
          && c.message().startsWith(dev.ssekit.conformance.checks.QuickBudget.LEFT_OUT_BY_BUDGET);
    }
  }

  /**
   * The browser view of a run.
   *
   * @param engine the browser engine ({@code chromium})
   * @param page the page the browser ran its EventSource in
   * @param pageGiven true when {@code --browser-page} named it, false for the root of the stream's origin
   * @param windowMs how long the browser read the stream
   */
  public record Browser(String engine, String page, boolean pageGiven, long windowMs) {}

  /** A report without a record of how the run was made (library use, tests). */
  public RunReport(String toolName, String toolVersion, String url, String publishUrl, Instant startedAt,
      long durationMs, List<CheckResult> checks, List<Problem> problems) {
    this(toolName, toolVersion, url, publishUrl, startedAt, durationMs, checks, problems, null);
  }

  /** This report with {@code run} recorded. */
  public RunReport withRun(Run run) {
    return new RunReport(toolName, toolVersion, url, publishUrl, startedAt, durationMs, checks, problems, run);
  }

  /** This report with {@code checks} instead of its own. */
  public RunReport withChecks(List<CheckResult> checks) {
    return new RunReport(toolName, toolVersion, url, publishUrl, startedAt, durationMs, checks, problems, run);
  }

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

  /** The checks by category: categories in the order their first check has in the report, checks in report order. */
  public Map<String, List<CheckResult>> byCategory() {
    Map<String, List<CheckResult>> by = new LinkedHashMap<>();
    for (CheckResult c : checks) by.computeIfAbsent(c.category(), k -> new ArrayList<>()).add(c);
    return by;
  }

  /** True when at least one check failed: the run's verdict is a failure (exit status 1). */
  public boolean anyFailed() {
    return checks.stream().anyMatch(c -> c.status() == Status.FAILED);
  }
}
