package dev.ssekit.conformance.report;

import dev.ssekit.conformance.report.CheckResult.Status;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints progress as checks finish, one line each ({@code FAIL  id  message}, cut to the width),
 * and at the end a {@link #printSummary summary} that fits a screen: the counts (advisories as
 * {@code info}), the failed, warned and info checks, and the verdict, which advisories never change. Text a server could have
 * influenced is printed with control characters escaped, so it cannot drive the terminal.
 *
 * <p>It is told each result by the run's {@link ResultCollector}, which decides it once for the console
 * and the reports alike. Thread-safe: lines from checks finishing in parallel are printed whole, one at
 * a time.
 */
public final class ConsoleReporter implements ResultCollector.Listener {

  /** The line width used when none is given. */
  public static final int DEFAULT_WIDTH = 100;

  /** At most this many failed and warned checks are listed in the summary; the reports have them all. */
  static final int MAX_LISTED = 15;

  private static final String RESET = "\u001B[0m";

  private final PrintWriter out;
  private final boolean colour;
  private final int width;

  /**
   * A reporter of {@link #DEFAULT_WIDTH} columns.
   *
   * @param out where to print; flushed after each line
   * @param colour true to colour the status marks with ANSI escapes
   */
  public ConsoleReporter(PrintWriter out, boolean colour) {
    this(out, colour, DEFAULT_WIDTH);
  }

  /**
   * A reporter.
   *
   * @param out where to print; flushed after each line
   * @param colour true to colour the status marks with ANSI escapes
   * @param width the line width to cut messages at (at least 40 is used)
   */
  public ConsoleReporter(PrintWriter out, boolean colour, int width) {
    this.out = out;
    this.colour = colour;
    this.width = Math.max(40, width);
  }

  @Override
  public void checkEnded(CheckResult result) {
    synchronized (out) {
      out.println(progressLine(result));
      out.flush();
    }
  }

  @Override
  public void problem(RunReport.Problem p) {
    synchronized (out) {
      out.println(marked("ERROR", "31",
          Text.printable(p.source()) + ": " + Text.printable(Text.firstLine(p.message())), width));
      out.flush();
    }
  }

  /** One line: the status mark, the id, and the message (or the summary when it passed), cut to the width. */
  String progressLine(CheckResult r) {
    String text = r.status() == Status.PASSED ? r.summary() : message(r);
    String rest = Text.printable(r.id());
    if (text != null && !text.isBlank()) rest += "  " + Text.printable(Text.firstLine(text));
    return marked(r.status().mark(), colourOf(r.status()), rest, width);
  }

  /** {@code mark  rest} cut to {@code columns}; only the mark is coloured, so escapes never count against the width. */
  private String marked(String mark, String colourCode, String rest, int columns) {
    String line = Text.cut(mark + "  " + rest, columns);
    return paint(colourCode, mark) + line.substring(mark.length());
  }

  /**
   * Prints the end-of-run summary: the counts and verdict, each failed and warned check (with the
   * severity its status was decided at) and each advisory with its message in at most two lines, internal errors, and where the reports are.
   *
   * @param report the run
   * @param reportDir the directory the reports were written to, or null when none were written
   */
  public void printSummary(RunReport report, Path reportDir) {
    RunReport.Summary s = report.summary();
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add(Text.cut(Text.printable(report.toolName() + " " + report.toolVersion() + " against " + report.url()
        + (report.publishUrl() == null ? "" : " (publish " + report.publishUrl() + ")")), width));
    RunReport.Run run = report.run();
    if (run != null) {
      long leftOut = report.checks().stream().filter(RunReport.Run::leftOutByProfile).count();
      lines.add(Text.cut(Text.printable("profile " + run.profile() + (run.strict() ? ", strict" : "") + ", "
          + run.window() + " window" + (leftOut == 0 ? "" : leftOut == 1 ? "; 1 check of a larger profile not run"
          : "; " + leftOut + " checks of larger profiles not run")), width));
      long overBudget = report.checks().stream().filter(RunReport.Run::leftOutByBudget).count();
      if (overBudget > 0) {
        lines.add(Text.cut(Text.printable(overBudget + " delivery check" + (overBudget == 1 ? "" : "s")
            + " not run, to keep quick within " + dev.ssekit.conformance.checks.QuickBudget.BUDGET.toSeconds()
            + " s (see " + (overBudget == 1 ? "its reason" : "their reasons") + "); --profile standard runs "
            + (overBudget == 1 ? "it" : "them")), width));
      }
      if (run.browser() != null) {
        lines.add(Text.cut(Text.printable("browser view: " + run.browser().engine() + ", "
            + RunReport.Run.duration(run.browser().windowMs()) + ", page " + run.browser().page()), width));
      }
    }
    lines.add(String.format(Locale.ROOT, "%d checks in %s: %d passed, %d failed, %d warned, %d skipped, %d info",
        s.total(), Text.elapsed(report.durationMs()), s.passed(), s.failed(), s.warned(), s.skipped(), s.info()));

    listChecks(lines, report, s);

    if (!report.problems().isEmpty()) {
      lines.add("");
      lines.add("Internal errors (" + report.problems().size() + "): the run is incomplete");
      for (RunReport.Problem p : report.problems()) {
        lines.add("  " + marked("ERROR", "31",
            Text.printable(p.source()) + ": " + Text.printable(Text.firstLine(p.message())), width - 2));
      }
    }

    lines.add("");
    lines.add(verdict(report, s));
    if (reportDir != null) {
      lines.add("Reports in " + reportDir + ": " + HtmlReportWriter.FILE_NAME + ", " + JsonReportWriter.FILE_NAME + ", "
          + JunitXmlWriter.FILE_NAME);
    }
    synchronized (out) {
      for (String l : lines) out.println(l);
      out.flush();
    }
  }
  /** The failed, warned and info checks, a section each, at most {@link #MAX_LISTED} in all, two lines apiece. */
  private void listChecks(List<String> lines, RunReport report, RunReport.Summary s) {
    List<CheckResult> listed = new ArrayList<>(report.checks(Status.FAILED));
    listed.addAll(report.checks(Status.WARNED));
    listed.addAll(report.checks(Status.INFO));
    int shown = 0;
    Status section = null;
    for (CheckResult c : listed) {
      if (shown == MAX_LISTED) {
        lines.add("  … and " + (listed.size() - shown) + " more (see the reports)");
        break;
      }
      if (c.status() != section) {
        section = c.status();
        int n = switch (section) {
          case FAILED -> s.failed();
          case WARNED -> s.warned();
          default -> s.info();
        };
        lines.add("");
        lines.add(switch (section) {
          case FAILED -> "Failed";
          case WARNED -> "Warned";
          default -> "Info, neither warnings nor failures";
        } + " (" + n + "):");
      }
      lines.add("  " + marked(c.status().mark(), colourOf(c.status()), Text.printable(c.id()) + severity(c), width - 2));
      String indent = "        ";
      for (String l : Text.wrap(Text.printable(Text.firstLine(message(c))), width - indent.length(), 2)) {
        lines.add(indent + l);
      }
      shown++;
    }
  }


  private String verdict(RunReport report, RunReport.Summary s) {
    if (!report.problems().isEmpty()) return paint("31", "ERROR: the suite could not run every check");
    if (s.failed() > 0) return paint("31", "FAILED: " + s.failed() + (s.failed() == 1 ? " check" : " checks") + " failed");
    if (s.passed() + s.warned() + s.info() == 0) return paint("33", "NOTHING RAN: every check was skipped");
    return paint("32", "PASSED" + (s.warned() == 0 ? "" : " with " + s.warned() + (s.warned() == 1 ? " warning" : " warnings")));
  }

  /** The message (the id is already on the line, the severity in the summary). */
  private static String message(CheckResult c) {
    return c.message() == null ? "" : c.message();
  }

  /**
   * For the summary's failed and warned checks: the severity the status was decided at, and the
   * declared one when it differs ({@code " (SHOULD, declared MUST)"}); empty for other statuses.
   */
  private static String severity(CheckResult c) {
    if (c.severity() == null || c.status() != Status.FAILED && c.status() != Status.WARNED) return "";
    boolean differs = c.declaredSeverity() != null && c.declaredSeverity() != c.severity();
    return " (" + c.severity() + (differs ? ", declared " + c.declaredSeverity() : "") + ")";
  }

  private static String colourOf(Status status) {
    return switch (status) {
      case PASSED -> "32";
      case FAILED -> "31";
      case WARNED -> "33";
      case SKIPPED -> "90";
      case INFO -> "36";
    };
  }

  private String paint(String code, String text) {
    return colour ? "\u001B[" + code + "m" + text + RESET : text;
  }
}
