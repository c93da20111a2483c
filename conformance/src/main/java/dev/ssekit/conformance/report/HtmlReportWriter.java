package dev.ssekit.conformance.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

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
 *
 * <p>This class writes the page's frame and style; the top of the page is {@link HtmlOverview}'s,
 * the checks are {@link HtmlChecks}'.
 */
public final class HtmlReportWriter implements ReportWriter {

  /** The report's file name. */
  public static final String FILE_NAME = "conformance.html";

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

    HtmlOverview.write(h, report, s);
    HtmlChecks.write(h, report);
    h.append("<footer>Generated by ").append(Text.html(report.toolName() + " " + report.toolVersion()))
        .append(". Statuses: a MUST violation fails; a SHOULD or MAY violation warns (SHOULD fails with --strict); ")
        .append("an advisory (info) is neither, whatever the strictness; a check that does not apply is skipped with")
        .append(" the reason. A check's severity is the one its status was decided at.</footer>\n");
    h.append("</main>\n</body>\n</html>\n");
    return h.toString();
  }
}
