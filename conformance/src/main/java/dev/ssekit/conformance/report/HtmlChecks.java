package dev.ssekit.conformance.report;

import dev.ssekit.conformance.report.CheckResult.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body of {@code conformance.html} ({@link HtmlReportWriter}): the suite's own errors, then the
 * failed and warned checks, the advisories, and every other check by category, each check a
 * {@code <details>} block with its id, severity, status, summary, message, evidence, notes and a
 * link to its rule. Everything a server could influence is HTML-escaped, and links are only made
 * for http and https URLs.
 */
final class HtmlChecks {

  private HtmlChecks() {}

  /** The body: the suite's own errors, failed and warned checks, advisories, the rest by category. */
  static void write(StringBuilder h, RunReport report) {
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
    for (Map.Entry<String, List<CheckResult>> e : report.byCategory().entrySet()) {
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
    h.append(" · ").append(Text.html(Text.elapsed(c.durationMs())));
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
}
