package dev.ssekit.conformance.report;

import dev.ssekit.conformance.report.CheckResult.Status;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The top of {@code conformance.html} ({@link HtmlReportWriter}): the title with the profile, how
 * the run was made and what a lighter profile left out, the verdict, a chart and the counts, what
 * was checked (target, time, options, tool), and a table of statuses per category. Everything a
 * server or the command line could influence is HTML-escaped.
 */
final class HtmlOverview {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT);

  /** What each profile covers, in the words of docs/conformance.md. */
  private static final Map<String, String> PROFILES = Map.of(
      "quick", "core checks only, a 3 s recording",
      "standard", "everything but long idle windows",
      "full", "everything, with a 40 s idle window for heartbeats, a 110 s fixed-age probe and larger storms");

  private HtmlOverview() {}

  /** The header: title, run line, verdict, chart and counts, what was checked, the category table. */
  static void write(StringBuilder h, RunReport report, RunReport.Summary s) {
    h.append("<header>\n<h1>SSE conformance report");
    if (report.run() != null) {
      h.append(" <span class=\"profile ").append(Text.html(report.run().profile())).append("\">")
          .append(Text.html(report.run().profile())).append(" profile</span>");
    }
    h.append("</h1>\n");
    if (report.run() != null) runLine(h, report);
    verdict(h, report, s);
    h.append("<div class=\"overview\">\n");
    chart(h, s);
    h.append("<div>\n<ul class=\"counts\">");
    count(h, "passed", s.passed());
    count(h, "failed", s.failed());
    count(h, "warned", s.warned());
    count(h, "skipped", s.skipped());
    count(h, "info", s.info());
    h.append("</ul>\n</div>\n<dl>\n");
    dt(h, "Target", "<code>" + Text.html(report.url()) + "</code>");
    dt(h, "Publish URL", report.publishUrl() == null ? "<span class=\"empty\">none (delivery checks skipped)</span>"
        : "<code>" + Text.html(report.publishUrl()) + "</code>");
    dt(h, "Started", report.startedAt() == null ? "" :
        Text.html(TIME.format(report.startedAt().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC))));
    dt(h, "Duration", Text.html(Text.elapsed(report.durationMs())));
    RunReport.Run run = report.run();
    if (run != null) {
      dt(h, "Profile", Text.html(run.profile() + ": " + PROFILES.getOrDefault(run.profile(), "")));
      dt(h, "Strict", run.strict() ? "yes: SHOULD violations fail" : "no: SHOULD violations warn (<code>--strict</code> fails them)");
      dt(h, "Window", Text.html(run.window() + (run.windowGiven() ? " (--window)" : " (the " + run.profile() + " profile's)"))
          + ": how long the shared recording read the stream");
      dt(h, "Browser", run.browser() == null ? "<span class=\"empty\">not run (no <code>--browser</code>)</span>"
          : Text.html(run.browser().engine() + ", " + RunReport.Run.duration(run.browser().windowMs()) + ", page ")
              + "<code>" + Text.html(run.browser().page()) + "</code>"
              + Text.html(run.browser().pageGiven() ? " (--browser-page)" : " (the root of the stream's origin)"));
      dt(h, "Command line", run.options().isEmpty() ? "<span class=\"empty\">no options</span>"
          : "<code>" + Text.html(String.join(" ", run.options())) + "</code>");
    }
    dt(h, "Checks", s.total() + " in " + report.byCategory().size() + " categories");
    dt(h, "Tool", Text.html(report.toolName() + " " + report.toolVersion()));
    h.append("</dl>\n</div>\n");
    categoryTable(h, report);
    h.append("</header>\n");
  }

  /** One line under the title: how the run was made, and what a lighter profile left out. */
  private static void runLine(StringBuilder h, RunReport report) {
    RunReport.Run run = report.run();
    long leftOut = report.checks().stream().filter(RunReport.Run::leftOutByProfile).count();
    h.append("<p class=\"run\">").append(Text.html("Profile " + run.profile() + (run.strict() ? ", strict" : "")
        + ", " + run.window() + " window" + (run.browser() == null ? "" : ", browser view in " + run.browser().engine())
        + "."));
    if (leftOut > 0) {
      h.append(" <strong>").append(leftOut).append(leftOut == 1 ? " check" : " checks")
          .append(" did not run</strong>: ").append(leftOut == 1 ? "it belongs" : "they belong")
          .append(Text.html(" to a larger profile (skipped, \"runs in the … profile\"); run --profile "
              + (run.profile().equals("quick") ? "standard or full" : "full") + " for a complete verdict."));
    }
    long overBudget = report.checks().stream().filter(RunReport.Run::leftOutByBudget).count();
    if (overBudget > 0) {
      h.append(" <strong>").append(overBudget).append(overBudget == 1 ? " delivery check" : " delivery checks")
          .append(" did not run</strong>").append(Text.html(", to keep quick within "
              + dev.ssekit.conformance.checks.QuickBudget.BUDGET.toSeconds() + " s (skipped, with the reason); "
              + "run --profile standard for " + (overBudget == 1 ? "it." : "them.")));
    }
    h.append("</p>\n");
  }

  private static void verdict(StringBuilder h, RunReport report, RunReport.Summary s) {
    String cls;
    String text;
    if (!report.problems().isEmpty()) {
      cls = "error";
      text = "Incomplete: the suite hit an internal error";
    } else if (s.failed() > 0) {
      cls = "failed";
      text = "Failed: " + s.failed() + (s.failed() == 1 ? " check failed" : " checks failed");
    } else if (s.passed() + s.warned() + s.info() == 0) {
      cls = "error";
      text = "No check ran";
    } else {
      cls = "passed";
      text = "Passed" + (s.warned() > 0 ? " with " + s.warned() + (s.warned() == 1 ? " warning" : " warnings") : "");
    }
    h.append("<p class=\"verdict ").append(cls).append("\">").append(Text.html(text)).append("</p>\n");
  }

  /** A donut of the five counts: one circle per status, each stroked over its share of the ring. */
  private static void chart(StringBuilder h, RunReport.Summary s) {
    int total = s.total();
    h.append("<svg width=\"140\" height=\"140\" viewBox=\"0 0 42 42\" role=\"img\" aria-label=\"")
        .append(s.passed()).append(" passed, ").append(s.failed()).append(" failed, ").append(s.warned())
        .append(" warned, ").append(s.skipped()).append(" skipped, ").append(s.info()).append(" info\">\n")
        // r = 100 / (2 pi): the ring's circumference is 100, so dash lengths are percentages.
        .append("<circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"var(--line)\" stroke-width=\"5\"/>\n");
    double offset = 25; // start at 12 o'clock
    int[] counts = {s.passed(), s.failed(), s.warned(), s.skipped(), s.info()};
    String[] colours = {"var(--pass)", "var(--fail)", "var(--warn)", "var(--skip)", "var(--info)"};
    String[] names = {"passed", "failed", "warned", "skipped", "info"};
    for (int i = 0; i < counts.length && total > 0; i++) {
      if (counts[i] == 0) continue;
      double share = 100.0 * counts[i] / total;
      h.append(String.format(Locale.ROOT,
          "<circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"%s\" stroke-width=\"5\" "
              + "stroke-dasharray=\"%.3f %.3f\" stroke-dashoffset=\"%.3f\"><title>%d %s</title></circle>\n",
          colours[i], share, 100 - share, offset, counts[i], names[i]));
      offset -= share;
    }
    h.append("<text x=\"21\" y=\"21\" text-anchor=\"middle\" dominant-baseline=\"central\" font-size=\"8\" ")
        .append("font-weight=\"700\" fill=\"currentColor\">").append(total).append("</text>\n")
        .append("<text x=\"21\" y=\"27.5\" text-anchor=\"middle\" font-size=\"3\" fill=\"currentColor\">checks</text>\n")
        .append("</svg>\n");
  }

  private static void count(StringBuilder h, String status, int n) {
    h.append("<li class=\"").append(status).append("\"><b>").append(n).append("</b>").append(status).append("</li>");
  }

  private static void dt(StringBuilder h, String term, String html) {
    h.append("<dt>").append(term).append("</dt><dd>").append(html).append("</dd>\n");
  }

  private static void categoryTable(StringBuilder h, RunReport report) {
    Map<String, List<CheckResult>> by = report.byCategory();
    if (by.isEmpty()) return;
    h.append("<table class=\"categories\">\n<thead><tr><th>Category</th><th>Passed</th><th>Failed</th>")
        .append("<th>Warned</th><th>Skipped</th><th>Info</th></tr></thead>\n<tbody>\n");
    for (Map.Entry<String, List<CheckResult>> e : by.entrySet()) {
      h.append("<tr><td>").append(Text.html(e.getKey())).append("</td>");
      for (Status st : List.of(Status.PASSED, Status.FAILED, Status.WARNED, Status.SKIPPED, Status.INFO)) {
        long n = e.getValue().stream().filter(c -> c.status() == st).count();
        h.append(n == 0 ? "<td class=\"zero\">" : "<td>").append(n).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }
}
