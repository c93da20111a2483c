package dev.ssekit.load.report;

import static dev.ssekit.load.report.Html.esc;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code capacity.html}: one self-contained page (no scripts, no external styles, fonts or
 * images; charts are inline SVG drawn here) with the summary first, then open connections and
 * delivery latency over time, server memory against connections with the fitted line, the
 * steps and the projection. Everything the run recorded is escaped.
 *
 * <p>This class is the page's frame (head, style, the order of the sections, the link to Gatling's
 * report) and its writing; the sections are {@link ReportTables}' and {@link ReportCharts}'.
 */
public final class CapacityHtml {
  private static final String STYLE = """
      body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#fff}
      main{max-width:60rem;margin:0 auto;padding:1rem 1.25rem 3rem}
      h1{font-size:1.5rem;margin:.5rem 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de}
      code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
      .verdict{padding:.6rem .9rem;border-radius:6px;font-weight:600;margin:.75rem 0}
      .ok{background:#dafbe1;border:1px solid #4ac26b}.bad{background:#ffebe9;border:1px solid #ff8182}
      .warn{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem .9rem;border-radius:6px}
      table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.25rem .7rem;border-bottom:1px solid #eaeef2;text-align:left}
      td.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:.25rem 0}
      .regressed{color:#a40e26;font-weight:600}.muted{color:#57606a}
      svg.chart{width:100%;height:auto;max-width:720px;display:block;margin:.5rem 0}
      svg text{font-size:11px;fill:#1b1f24}svg .label{font-size:12px}
      svg line{stroke:#57606a;stroke-width:1}svg line.grid{stroke:#eaeef2}
      svg polyline{fill:none;stroke-width:1.6}
      .s1 polyline{stroke:#0969da}.s1 rect,.s1 circle{fill:#0969da}
      .s2 polyline{stroke:#bf3989}.s2 rect,.s2 circle{fill:#bf3989}
      .s3 polyline{stroke:#9a6700;stroke-dasharray:4 3}.s3 rect,.s3 circle{fill:#9a6700}
      .s0 circle,.s0 rect{fill:#afb8c1}
      .s4 polyline{stroke:#1a7f37;stroke-dasharray:6 3}.s4 rect{fill:#1a7f37}
      .s5 polyline{stroke:#8250df;stroke-dasharray:6 3}.s5 rect{fill:#8250df}
      .s6 polyline{stroke:#cf222e;stroke-dasharray:2 2}.s6 rect{fill:#cf222e}
      .s7 polyline{stroke:#57606a;stroke-dasharray:6 3}.s7 rect{fill:#57606a}
      """;

  private CapacityHtml() {}

  /** Writes {@code capacity.html} into {@code dir}. */
  public static Path write(RunRecord run, Path dir) {
    return write(run, null, dir);
  }

  /** Writes {@code capacity.html} into {@code dir}, with the comparison to a baseline if there is one. */
  public static Path write(RunRecord run, BaselineComparison baseline, Path dir) {
    return ReportFile.write(dir, "capacity.html", render(run, baseline, gatlingReport(dir)));
  }

  /**
   * Writes {@code capacity.html} for a run whose Gatling report goes elsewhere ({@code mvn
   * gatling:test} writes it under the plugin's results folder): the link points at Gatling's run
   * directory for {@code simulation} there (its {@code index.html} is written when Gatling ends,
   * just after this page), or at the folder when the run directory cannot be found.
   */
  public static Path write(RunRecord run, Path dir, Path gatlingResults, String simulation) {
    return ReportFile.write(dir, "capacity.html", render(run, null, gatlingReportIn(dir, gatlingResults, simulation)));
  }

  /** Gatling's run directory for {@code simulation} under {@code results}, as a link relative to {@code dir}. */
  static String gatlingReportIn(Path dir, Path results, String simulation) {
    Path base = dir.toAbsolutePath().normalize();
    Path folder = results.toAbsolutePath().normalize();
    String prefix = simulation.substring(simulation.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) + "-";
    Path runDir = null;
    if (Files.isDirectory(folder)) {
      try (Stream<Path> s = Files.list(folder)) {
        // Gatling names a run <simulation>-<start time>; this run's is the newest with a simulation.log.
        runDir = s.filter(p -> p.getFileName().toString().startsWith(prefix))
            .filter(p -> Files.isRegularFile(p.resolve("simulation.log")))
            .max(java.util.Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
      } catch (IOException e) {
        runDir = null;
      }
    }
    Path target = runDir != null ? runDir.resolve("index.html") : folder;
    String rel = base.relativize(target).toString().replace(java.io.File.separatorChar, '/');
    return runDir != null ? rel : rel + "/";
  }

  /** Gatling's latest report under {@code dir/gatling/}, relative to {@code dir}, or null. */
  static String gatlingReport(Path dir) {
    Path g = dir.resolve("gatling");
    if (!Files.isDirectory(g)) {
      return null;
    }
    try (Stream<Path> s = Files.list(g)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("index.html")))
          .map(p -> "gatling/" + p.getFileName() + "/index.html").sorted().reduce((a, b) -> b).orElse(null);
    } catch (IOException e) {
      return null; // the page is still worth writing without the link
    }
  }

  /** {@code <code>URL</code>}, or every instance's URL and how the connections went to them. */
  private static String targets(CapacityReport.Target t) {
    if (t.instances() == 1) {
      return "<code>" + esc(t.url()) + "</code>";
    }
    StringBuilder h = new StringBuilder();
    for (String url : t.urls()) {
      h.append(h.length() == 0 ? "" : ", ").append("<code>").append(esc(url)).append("</code>");
    }
    return h + " (" + t.instances() + " instances, the connections in turn)";
  }

  /**
   * The page.
   *
   * @param gatling Gatling's report relative to the page, or null
   */
  public static String render(RunRecord run, BaselineComparison baseline, String gatling) {
    CapacityReport r = run.capacity();
    StringBuilder h = new StringBuilder(32_768);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>ssekit capacity report: ").append(esc(r.scenario())).append("</title>\n")
        .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<main>\n");
    h.append("<h1>Capacity report: ").append(esc(r.scenario())).append("</h1>\n");
    h.append("<p class=\"muted\">Against ").append(targets(r.target())).append(", ")
        .append(String.format(Locale.ROOT, "%.1f s", r.durationMs() / 1000.0));
    long injectors = run.diagnostics().getOrDefault(Merge.INJECTORS, 1L);
    if (injectors > 1) {
      h.append(", merged from ").append(injectors).append(" injectors");
    }
    h.append(".</p>\n");
    ReportTables.verdict(h, r, baseline);
    ReportTables.summary(h, run);
    ReportTables.injectorWarning(h, run);
    if (baseline != null) {
      ReportTables.baselineTable(h, baseline);
    }
    h.append("<h2>Over time</h2>\n");
    h.append(ReportCharts.openChart(run));
    h.append(ReportCharts.latencyChart(run));
    h.append("<h2>Server memory against connections</h2>\n");
    h.append(ReportCharts.memoryChart(run));
    ReportTables.stepsAndProjection(h, r);
    h.append("<h2>More</h2>\n<p>");
    if (gatling != null) {
      h.append("Gatling's own report (connect times per request): <a href=\"").append(esc(relativeHref(gatling)))
          .append("\">").append(esc(gatling)).append("</a>. ");
    }
    h.append("Every figure here comes from <code>capacity.json</code> and <code>histograms.json</code>"
        + " beside this page (latencies in µs, HdrHistogram-encoded).</p>\n");
    h.append("</main>\n</body>\n</html>\n");
    return h.toString();
  }

  /** A relative path made safe for an {@code href}: each segment percent-encoded as a URI path. */
  private static String relativeHref(String path) {
    try {
      return new URI(null, null, path, null).getRawPath();
    } catch (URISyntaxException e) {
      return "gatling/";
    }
  }

}
