package dev.ssekit.conformance.report;

import dev.ssekit.conformance.report.CheckResult.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code conformance.html}: one self-contained page (inline CSS and SVG, no scripts, fonts
 * or links to fetch), readable offline and printable. It shows the summary first (target, time,
 * counts and a chart), then the failed and warned checks, then the advisories (status
 * {@code info}), then every other check grouped by category. Each check shows its id, severity
 * (the one its status was decided at, and the declared one when they differ), status, summary,
 * message, evidence, notes and a link to its rule.
 *
 * <p>Everything a server could influence (messages, evidence, notes, URLs) is HTML-escaped,
 * including quotes, and links are only made for http and https URLs.
 */
public final class HtmlReportWriter implements ReportWriter {

  /** The report's file name. */
  public static final String FILE_NAME = "conformance.html";

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT);

  private static final String CSS = """
      :root { --pass: #1b7f3b; --fail: #c62828; --warn: #b86e00; --skip: #6b7280; --info: #0b62c4; --fg: #1f2328; --muted: #59636e;
              --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0; --code: #eef1f4; }
      @media (prefers-color-scheme: dark) {
        :root { --pass: #3fb950; --fail: #f85149; --warn: #d29922; --skip: #8b949e; --info: #58a6ff; --fg: #e6edf3; --muted: #9198a1;
                --bg: #0d1117; --panel: #151b23; --line: #3d444d; --code: #1f2630; }
      }
      * { box-sizing: border-box; }
      body { margin: 0; padding: 2rem 1.5rem 4rem; background: var(--bg); color: var(--fg);
             font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
      main { max-width: 72rem; margin: 0 auto; }
      h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
      h1 .profile { font-size: .85rem; font-weight: 700; vertical-align: middle; border: 2px solid var(--skip); color: var(--skip);
                    border-radius: 4px; padding: .05rem .45rem; margin-left: .5rem; text-transform: uppercase; letter-spacing: .05em; }
      h1 .profile.quick { border-color: var(--warn); color: var(--warn); } h1 .profile.full { border-color: var(--pass); color: var(--pass); }
      p.run { margin: 0 0 .5rem; color: var(--muted); }
      h2 { font-size: 1.25rem; margin: 2.5rem 0 .75rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
      h3 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
      h4 { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: .9rem 0 .3rem; }
      a { color: inherit; }
      code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .88em; }
      pre { background: var(--code); padding: .6rem .8rem; border-radius: 6px; overflow-x: auto; margin: 0;
            white-space: pre-wrap; overflow-wrap: anywhere; }
      .verdict { font-size: 1.15rem; font-weight: 600; margin: .5rem 0 1rem; }
      .verdict.failed { color: var(--fail); } .verdict.passed { color: var(--pass); } .verdict.error { color: var(--fail); }
      .overview { display: flex; flex-wrap: wrap; gap: 2rem; align-items: center; background: var(--panel);
                  border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem 1.5rem; }
      .overview dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; flex: 1 1 22rem; }
      .overview dt { color: var(--muted); } .overview dd { margin: 0; overflow-wrap: anywhere; }
      .counts { display: flex; gap: 1.25rem; margin: 0; padding: 0; list-style: none; }
      .counts li { text-align: center; } .counts b { display: block; font-size: 1.6rem; line-height: 1.1; }
      .counts .passed b { color: var(--pass); } .counts .failed b { color: var(--fail); }
      .counts .warned b { color: var(--warn); } .counts .skipped b { color: var(--skip); }
      .counts .info b { color: var(--info); }
      table.categories { border-collapse: collapse; margin-top: 1rem; font-size: .92rem; }
      table.categories th, table.categories td { padding: .25rem .9rem; border-bottom: 1px solid var(--line); text-align: right; }
      table.categories th:first-child, table.categories td:first-child { text-align: left; }
      table.categories td.zero { color: var(--muted); }
      details.check { border: 1px solid var(--line); border-left-width: 5px; border-radius: 6px; margin: .45rem 0;
                      background: var(--bg); }
      details.check.passed { border-left-color: var(--pass); } details.check.failed { border-left-color: var(--fail); }
      details.check.warned { border-left-color: var(--warn); } details.check.skipped { border-left-color: var(--skip); }
      details.check.info { border-left-color: var(--info); }
      details.check > summary { cursor: pointer; padding: .45rem .75rem; display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; }
      details.check > summary .what { color: var(--muted); flex: 1 1 20rem; }
      details.check .body { padding: 0 .9rem .8rem; }
      .badge { display: inline-block; min-width: 3.2rem; text-align: center; font-size: .75rem; font-weight: 700;
               letter-spacing: .04em; color: #fff; border-radius: 4px; padding: .05rem .4rem; }
      .badge.passed { background: var(--pass); } .badge.failed { background: var(--fail); }
      .badge.warned { background: var(--warn); } .badge.skipped { background: var(--skip); }
      .badge.info { background: var(--info); }
      .sev { font-size: .75rem; font-weight: 600; border: 1px solid var(--line); border-radius: 4px; padding: 0 .35rem; color: var(--muted); }
      .message { white-space: pre-wrap; overflow-wrap: anywhere; margin: .6rem 0 0; }
      .meta { color: var(--muted); font-size: .85rem; margin: .8rem 0 0; }
      ul.notes { margin: 0; padding-left: 1.25rem; }
      .empty { color: var(--muted); font-style: italic; }
      footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
      @media print { details.check { break-inside: avoid; } body { padding: 0; } }
      """;

  /** A writer; it holds no state. */
  public HtmlReportWriter() {}

  @Override
  public String fileName() {
    return FILE_NAME;
  }

  @Override
  public void write(RunReport report, OutputStream out) throws IOException {
    out.write(render(report).getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** The whole page. */
  String render(RunReport report) {
    RunReport.Summary s = report.summary();
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>SSE conformance").append(report.run() == null ? "" : " (" + Text.html(report.run().profile()) + ")")
        .append(": ").append(Text.html(report.url())).append("</title>\n")
        .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");

    header(h, report, s);
    sections(h, report);
    h.append("<footer>Generated by ").append(Text.html(report.toolName() + " " + report.toolVersion()))
        .append(". Statuses: a MUST violation fails; a SHOULD or MAY violation warns (SHOULD fails with --strict); ")
        .append("an advisory (info) is neither, whatever the strictness; a check that does not apply is skipped with")
        .append(" the reason. A check's severity is the one its status was decided at.</footer>\n");
    h.append("</main>\n</body>\n</html>\n");
    return h.toString();
  }
  /** The header: title, run line, verdict, chart and counts, what was checked, the category table. */
  private static void header(StringBuilder h, RunReport report, RunReport.Summary s) {
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
    dt(h, "Duration", Text.html(duration(report.durationMs())));
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
    dt(h, "Checks", s.total() + " in " + categories(report).size() + " categories");
    dt(h, "Tool", Text.html(report.toolName() + " " + report.toolVersion()));
    h.append("</dl>\n</div>\n");
    categoryTable(h, report);
    h.append("</header>\n");
  }

  /** The body: the suite's own errors, failed and warned checks, advisories, the rest by category. */
  private static void sections(StringBuilder h, RunReport report) {
    if (!report.problems().isEmpty()) {
      h.append("<section id=\"errors\">\n<h2>Errors in the suite itself</h2>\n")
          .append("<p>These are not findings about the server: part of the suite could not run, so the run is incomplete.</p>\n");
      for (RunReport.Problem p : report.problems()) {
        h.append("<h4>").append(Text.html(p.source())).append("</h4>\n<pre>").append(Text.html(p.message())).append("</pre>\n");
      }
      h.append("</section>\n");
    }

    List<CheckResult> attention = new ArrayList<>(report.checks(Status.FAILED));
    attention.addAll(report.checks(Status.WARNED));
    h.append("<section id=\"attention\">\n<h2>Failed and warned (").append(attention.size()).append(")</h2>\n");
    if (attention.isEmpty()) h.append("<p class=\"empty\">No check failed or warned.</p>\n");
    for (CheckResult c : attention) check(h, c, true);
    h.append("</section>\n");

    List<CheckResult> advisories = report.checks(Status.INFO);
    if (!advisories.isEmpty()) {
      h.append("<section id=\"advisories\">\n<h2>Advisories (").append(advisories.size()).append(")</h2>\n")
          .append("<p class=\"meta\">Neither warnings nor failures: advice that applies to nearly every server of")
          .append(" this kind.</p>\n");
      for (CheckResult c : advisories) check(h, c, true);
      h.append("</section>\n");
    }

    h.append("<section id=\"by-category\">\n<h2>Other checks by category</h2>\n");
    boolean any = false;
    for (Map.Entry<String, List<CheckResult>> e : categories(report).entrySet()) {
      List<CheckResult> rest = e.getValue().stream()
          .filter(c -> c.status() == Status.PASSED || c.status() == Status.SKIPPED).toList();
      if (rest.isEmpty()) continue;
      any = true;
      h.append("<h3 id=\"category-").append(Text.html(e.getKey())).append("\">").append(Text.html(e.getKey()))
          .append(" <span class=\"meta\">(").append(rest.size()).append(")</span></h3>\n");
      for (CheckResult c : rest) check(h, c, false);
    }
    if (!any) h.append("<p class=\"empty\">None.</p>\n");
    h.append("</section>\n");
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

  /** What each profile covers, in the words of docs/conformance.md. */
  private static final Map<String, String> PROFILES = Map.of(
      "quick", "core checks only, a 3 s recording",
      "standard", "everything but long idle windows",
      "full", "everything, with a 40 s idle window for heartbeats, a 110 s fixed-age probe and larger storms");

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

  private static void dt(StringBuilder h, String term, String html) {
    h.append("<dt>").append(term).append("</dt><dd>").append(html).append("</dd>\n");
  }

  private static Map<String, List<CheckResult>> categories(RunReport report) {
    Map<String, List<CheckResult>> by = new LinkedHashMap<>();
    for (CheckResult c : report.checks()) by.computeIfAbsent(c.category(), k -> new ArrayList<>()).add(c);
    return by;
  }

  private static void categoryTable(StringBuilder h, RunReport report) {
    Map<String, List<CheckResult>> by = categories(report);
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

  private static void check(StringBuilder h, CheckResult c, boolean open) {
    String st = c.status().label();
    h.append("<details class=\"check ").append(st).append("\" id=\"check-").append(Text.html(c.id())).append('"')
        .append(open ? " open" : "").append(">\n<summary><span class=\"badge ").append(st).append("\">")
        .append(c.status().mark()).append("</span> <code>").append(Text.html(c.id())).append("</code>");
    if (c.severity() != null) {
      h.append(" <span class=\"sev\">").append(c.severity());
      if (c.declaredSeverity() != null && c.declaredSeverity() != c.severity()) {
        h.append(" (declared ").append(c.declaredSeverity()).append(')');
      }
      h.append("</span>");
    }
    if (c.summary() != null) h.append(" <span class=\"what\">").append(Text.html(c.summary())).append("</span>");
    h.append("</summary>\n<div class=\"body\">\n");
    if (c.message() != null) h.append("<p class=\"message\">").append(Text.html(c.message())).append("</p>\n");
    if (!c.evidence().isEmpty()) {
      h.append("<h4>Evidence</h4>\n<pre>").append(Text.html(c.evidenceText())).append("</pre>\n");
    }
    if (!c.notes().isEmpty()) {
      h.append("<h4>Notes</h4>\n<ul class=\"notes\">\n");
      for (String n : c.notes()) h.append("<li>").append(Text.html(n)).append("</li>\n");
      h.append("</ul>\n");
    }
    h.append("<p class=\"meta\">").append(Text.html(c.status().label()));
    if (!c.rule().equals("-")) h.append(" · rule ").append(Text.html(c.rule()));
    h.append(" · ").append(Text.html(duration(c.durationMs())));
    if (c.spec() != null) {
      h.append(" · ");
      if (isWebLink(c.spec())) {
        h.append("<a href=\"").append(Text.html(c.spec())).append("\">").append(Text.html(c.spec())).append("</a>");
      } else {
        h.append(Text.html(c.spec()));
      }
    }
    h.append("</p>\n</div>\n</details>\n");
  }

  private static boolean isWebLink(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    return u.startsWith("https://") || u.startsWith("http://");
  }

  private static String duration(long ms) {
    return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
