package dev.ssekit.load.report;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * {@code capacity.html}: one self-contained page (no scripts, no external styles, fonts or
 * images; charts are inline SVG drawn here) with the summary first, then open connections and
 * delivery latency over time, server memory against connections with the fitted line, the
 * steps and the projection. Everything the run recorded is escaped.
 */
public final class CapacityHtml {
  /** Diagnostics keys the run records about its injector (for the bottleneck rule). */
  public static final String CORES = "injectorCores";
  public static final String MAX_HEAP = "injectorMaxHeapBytes";
  /** The injector looks like the bottleneck past this share of its CPU or of its heap. */
  static final double BOTTLENECK_SHARE = 0.8;
  /** Charts over time draw at most this many points (longer timelines add neighbouring periods). */
  static final int MAX_POINTS = 360;

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
    h.append("<p class=\"muted\">Against <code>").append(esc(r.target().url())).append("</code>, ")
        .append(String.format(Locale.ROOT, "%.1f s", r.durationMs() / 1000.0));
    long injectors = run.diagnostics().getOrDefault(Merge.INJECTORS, 1L);
    if (injectors > 1) {
      h.append(", merged from ").append(injectors).append(" injectors");
    }
    h.append(".</p>\n");
    verdict(h, r, baseline);
    summary(h, run);
    injectorWarning(h, run);
    if (baseline != null) {
      baselineTable(h, baseline);
    }
    h.append("<h2>Over time</h2>\n");
    h.append(openChart(run));
    h.append(latencyChart(run));
    h.append("<h2>Server memory against connections</h2>\n");
    h.append(memoryChart(run));
    stepsAndProjection(h, r);
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

  private static void verdict(StringBuilder h, CapacityReport r, BaselineComparison baseline) {
    var e = r.events();
    boolean bad = r.deliveryFailed() || (baseline != null && baseline.verdict() != BaselineComparison.Verdict.PASSED);
    h.append("<div class=\"verdict ").append(bad ? "bad" : "ok").append("\" role=\"status\">");
    if (r.deliveryFailed()) {
      h.append(esc("FAILED: " + String.join("; ", r.problems()) + "."));
    } else if (e.expectedDeliveries() == 0) {
      h.append("Nothing lost or duplicated, but no sequenced events were expected, so loss was not measured.");
    } else {
      h.append(String.format(Locale.ROOT, "OK: nothing lost or duplicated (%,d of %,d deliveries).", e.delivered(), e.expectedDeliveries()));
    }
    if (baseline != null) {
      h.append("<br>");
      switch (baseline.verdict()) {
        case PASSED -> h.append("No regression against the baseline <code>").append(esc(baseline.file())).append("</code>.");
        case REGRESSED -> h.append("REGRESSED against the baseline <code>").append(esc(baseline.file())).append("</code>: ")
            .append(baseline.rows().stream().filter(x -> x.verdict() == BaselineComparison.RowVerdict.REGRESSED).count())
            .append(" figure(s) past their limit.");
        case NOT_COMPARABLE -> h.append("Not comparable with the baseline <code>").append(esc(baseline.file()))
            .append("</code>: ").append(esc(baseline.reason())).append('.');
      }
    }
    h.append("</div>\n");
  }

  private static void summary(StringBuilder h, RunRecord run) {
    CapacityReport r = run.capacity();
    var c = r.connections();
    var cm = r.connectMs();
    var d = r.deliveryLatencyMs();
    var e = r.events();
    var s = r.server();
    h.append("<h2>Summary</h2>\n<table>\n<caption>What the run held, delivered and cost</caption>\n<tbody>\n");
    row(h, "Connections", String.format(Locale.ROOT, "%,d requested, %,d opened, %,d failed, peak %,d open",
        c.requested(), c.opened(), c.failed(), c.peakOpen())
        + (c.reconnects() == null ? "" : String.format(Locale.ROOT, ", %,d reconnects", c.reconnects()))
        + (c.recoveryMs() == null ? "" : String.format(Locale.ROOT, ", recovered in %,d ms", c.recoveryMs())));
    row(h, "Connect time (ms)", "p50 " + ms(cm.p50()) + ", p95 " + ms(cm.p95()) + ", p99 " + ms(cm.p99()) + ", max " + ms(cm.max())
        + ": " + Summary.CONNECT_MEANING);
    String first = Summary.firstEvent(run.histograms().get("firstEvent"));
    if (first != null) {
      row(h, "Time to first event (ms)", first);
    }
    row(h, "Delivery latency (ms)", String.format(Locale.ROOT, "%,d samples: ", d.count()) + "p50 " + ms(d.p50())
        + ", p95 " + ms(d.p95()) + ", p99 " + ms(d.p99()) + ", p99.9 " + ms(d.p999()) + ", max " + ms(d.max()));
    row(h, "Events", String.format(Locale.ROOT, "published %s, expected deliveries %,d, delivered %,d, lost %,d, duplicated %,d, out of order %,d",
        e.published() == null ? "n/a (server-published)" : String.format(Locale.ROOT, "%,d", e.published()),
        e.expectedDeliveries(), e.delivered(), e.lost(), e.duplicated(), e.outOfOrder())
        + (e.notYetRead() > 0 ? String.format(Locale.ROOT, ", not yet read by the injector %,d", e.notYetRead()) : ""));
    if (!r.failures().isEmpty()) {
      StringBuilder f = new StringBuilder();
      for (var failure : r.failures()) {
        f.append(f.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%s × %,d: %s", failure.kind(), failure.count(), failure.message()));
      }
      row(h, "Failures", f.toString());
    }
    row(h, "Server memory (RSS)", s.rssBytesBaseline() == null && s.rssBytesPeak() == null
        ? "not measured (give --metrics-url or --server-pid)"
        : "baseline " + Summary.bytes(s.rssBytesBaseline()) + ", peak " + Summary.bytes(s.rssBytesPeak())
            + ", " + Summary.perConnection(s.bytesPerConnection()) + Summary.fitNote(r.projection()));
    if (r.projection().plan() != null) {
      row(h, "Capacity", r.projection().plan().headline());
    }
    long injectors = run.diagnostics().getOrDefault(Merge.INJECTORS, 1L);
    row(h, "Injector", "heap peak " + Summary.bytes(r.injector().heapBytesPeak())
        + String.format(Locale.ROOT, ", CPU %.1f s", r.injector().cpuSeconds())
        + (injectors > 1 ? " (heap: the largest of " + injectors + " injectors; CPU: their sum)" : ""));
    h.append("</tbody>\n</table>\n");
  }

  /**
   * The rule: the injector may be the bottleneck when its CPU time reaches {@value
   * #BOTTLENECK_SHARE} of wall time × its cores, or its heap peak that share of its maximum heap.
   */
  public static String injectorBottleneck(RunRecord run) {
    CapacityReport r = run.capacity();
    Long cores = run.diagnostics().get(CORES);
    Long maxHeap = run.diagnostics().get(MAX_HEAP);
    List<String> found = new ArrayList<>();
    double wall = r.durationMs() / 1000.0;
    if (cores != null && cores > 0 && wall > 0 && r.injector().cpuSeconds() >= BOTTLENECK_SHARE * wall * cores) {
      found.add(String.format(Locale.ROOT, "its CPU time (%.1f s) is %.0f %% of the run's wall time × %d cores",
          r.injector().cpuSeconds(), 100 * r.injector().cpuSeconds() / (wall * cores), cores));
    }
    if (maxHeap != null && maxHeap > 0 && r.injector().heapBytesPeak() >= BOTTLENECK_SHARE * maxHeap) {
      found.add("its heap peak (" + Summary.bytes(r.injector().heapBytesPeak()) + ") is "
          + Math.round(100.0 * r.injector().heapBytesPeak() / maxHeap) + " % of its maximum heap (" + Summary.bytes(maxHeap) + ")");
    }
    if (r.events().notYetRead() > 0) {
      Long behind = run.diagnostics().get("connectionsBehind");
      found.add(String.format(Locale.ROOT, "its readers fell behind the stream: %s were still receiving their backlog when"
          + " the drain after the hold ran out, %,d expected deliveries not yet read (delivery latency p99 %s ms)",
          behind == null ? "connections" : String.format(Locale.ROOT, "%,d of %,d connections", behind, r.connections().opened()),
          r.events().notYetRead(), r.deliveryLatencyMs().p99() == null ? "n/a"
              : String.format(Locale.ROOT, "%.0f", r.deliveryLatencyMs().p99())));
    }
    if (found.isEmpty()) {
      return r.injector().bottleneck(); // as recorded (a merged or read-back report)
    }
    return String.join("; ", found);
  }

  private static void injectorWarning(StringBuilder h, RunRecord run) {
    String why = injectorBottleneck(run);
    if (why != null) {
      h.append("<p class=\"warn\"><strong>The injector may be the bottleneck:</strong> ").append(esc(why))
          .append(". Latency and connect times may then measure the load tester rather than the server:"
              + " give it more memory (-Xmx) or spread the connections over several injectors and merge their reports.</p>\n");
    }
    h.append(String.format(Locale.ROOT, "<p class=\"muted\">Rule: the injector is flagged when its CPU seconds reach %.0f %% of"
        + " wall time × cores, its heap peak %.0f %% of its maximum heap, or its readers fell behind (streams still"
        + " receiving their backlog when the drain after the hold ran out, with events not yet read)%s.</p>%n", BOTTLENECK_SHARE * 100, BOTTLENECK_SHARE * 100,
        run.diagnostics().containsKey(CORES) ? "" : " (this run did not record its cores and maximum heap, so the rule was not applied)"));
  }

  private static void baselineTable(StringBuilder h, BaselineComparison b) {
    h.append("<h2>Against the baseline</h2>\n");
    if (b.reason() != null) {
      h.append("<p>Not comparable with <code>").append(esc(b.file())).append("</code>: ").append(esc(b.reason())).append(".</p>\n");
      return;
    }
    h.append("<table>\n<caption>This run against <code>").append(esc(b.file())).append("</code>: ")
        .append(esc(b.verdict().text())).append("</caption>\n<thead><tr><th scope=\"col\">Figure</th><th scope=\"col\">Baseline</th>"
            + "<th scope=\"col\">Now</th><th scope=\"col\">Change</th><th scope=\"col\">Limit</th><th scope=\"col\">Verdict</th>"
            + "<th scope=\"col\">Rule</th></tr></thead>\n<tbody>\n");
    for (var r : b.rows()) {
      String unit = r.unit().isEmpty() ? "" : " (" + r.unit() + ")";
      h.append("<tr><th scope=\"row\">").append(esc(r.figure() + unit)).append("</th><td class=\"n\">")
          .append(esc(BaselineComparison.number(r.baseline()))).append("</td><td class=\"n\">")
          .append(esc(BaselineComparison.number(r.now()))).append("</td><td class=\"n\">")
          .append(esc(BaselineComparison.percent(r.changePercent()))).append("</td><td class=\"n\">")
          .append(esc(BaselineComparison.limitText(r))).append("</td><td")
          .append(r.verdict() == BaselineComparison.RowVerdict.REGRESSED ? " class=\"regressed\"" : "").append('>')
          .append(esc(r.verdict().text())).append("</td><td>").append(esc(r.rule())).append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  // ---- charts ----

  /** The timeline in at most {@link #MAX_POINTS} groups of neighbouring periods. */
  private static List<List<RunRecord.TimelinePoint>> groups(List<RunRecord.TimelinePoint> timeline) {
    int per = Math.max(1, (timeline.size() + MAX_POINTS - 1) / MAX_POINTS);
    List<List<RunRecord.TimelinePoint>> out = new ArrayList<>();
    for (int i = 0; i < timeline.size(); i += per) {
      out.add(timeline.subList(i, Math.min(timeline.size(), i + per)));
    }
    return out;
  }

  private static double seconds(RunRecord run, long atMs) {
    return (atMs - run.timeline().get(0).atMs()) / 1000.0;
  }

  private static double lastSecond(RunRecord run) {
    return seconds(run, run.timeline().get(run.timeline().size() - 1).atMs());
  }

  private static String openChart(RunRecord run) {
    if (run.timeline().isEmpty()) {
      return "<p>No timeline was recorded.</p>\n";
    }
    List<double[]> open = new ArrayList<>();
    long peak = 0;
    for (var g : groups(run.timeline())) {
      var last = g.get(g.size() - 1);
      open.add(new double[] {seconds(run, last.atMs()), last.open()});
      peak = Math.max(peak, g.stream().mapToLong(RunRecord.TimelinePoint::open).max().orElse(0));
    }
    double span = lastSecond(run);
    return new SvgChart("open", "Open connections over time",
        String.format(Locale.ROOT, "Streams open, sampled every period over %.1f s; the most at once was %,d (the run's peak: %,d).",
            span, peak, run.capacity().connections().peakOpen()),
        "seconds since the first sample", "open connections", false)
        .line("open connections", "s1", open).render();
  }

  private static String latencyChart(RunRecord run) {
    List<double[]> p50 = new ArrayList<>();
    List<double[]> p99 = new ArrayList<>();
    List<double[]> max = new ArrayList<>();
    int per = 1;
    for (var g : groups(run.timeline())) {
      per = Math.max(per, g.size());
      Histogram h = new Histogram(3);
      for (var p : g) {
        h.add(p.latency());
      }
      if (h.getTotalCount() == 0) {
        continue;
      }
      double t = seconds(run, g.get(g.size() - 1).atMs());
      p50.add(new double[] {t, Projections.ms(h.getValueAtPercentile(50))});
      p99.add(new double[] {t, Projections.ms(h.getValueAtPercentile(99))});
      max.add(new double[] {t, Projections.ms(h.getMaxValue())});
    }
    if (p50.isEmpty()) {
      return "<p>No delivery was timed, so there is no latency chart.</p>\n";
    }
    double lowest = p50.stream().mapToDouble(p -> p[1]).filter(v -> v > 0).min().orElse(1);
    double highest = max.stream().mapToDouble(p -> p[1]).max().orElse(1);
    // A tail far above the median squeezes the median flat on a linear axis: switch to log.
    boolean log = highest / Math.max(lowest, 0.01) > 50;
    return new SvgChart("latency", "Delivery latency over time",
        String.format(Locale.ROOT, "p50, p99 and max of the deliveries received in each %s; %s scale. Over the whole run: p50 %s ms, p99 %s ms, max %s ms.",
            per == 1 ? "sampling period" : "group of " + per + " sampling periods", log ? "logarithmic" : "linear",
            ms(run.capacity().deliveryLatencyMs().p50()), ms(run.capacity().deliveryLatencyMs().p99()),
            ms(run.capacity().deliveryLatencyMs().max())),
        "seconds since the first sample", "delivery latency (ms" + (log ? ", log scale)" : ")"), log)
        .xUpTo(lastSecond(run))
        .line("p50", "s1", p50).line("p99", "s2", p99).line("max", "s3", max).render();
  }

  private static String memoryChart(RunRecord run) {
    CapacityReport r = run.capacity();
    double mib = 1 << 20;
    List<double[]> samples = new ArrayList<>();
    for (var g : groups(run.timeline())) {
      for (var p : g) {
        if (p.serverRssBytes() != null) {
          samples.add(new double[] {p.open(), p.serverRssBytes() / mib});
          break;
        }
      }
    }
    List<double[]> steps = new ArrayList<>();
    if (r.server().rssBytesBaseline() != null) {
      steps.add(new double[] {0, r.server().rssBytesBaseline() / mib});
    }
    for (var s : r.steps()) {
      if (s.rssBytes() != null) {
        steps.add(new double[] {s.connections(), s.rssBytes() / mib});
      }
    }
    if (samples.isEmpty() && steps.isEmpty()) {
      return "<p>Server memory was not measured (give --metrics-url or --server-pid).</p>\n";
    }
    var p = r.projection();
    SvgChart chart = new SvgChart("memory", "Server memory against open connections",
        "Grey: the server's RSS at each sample against the streams open then. Blue: the baseline with no connection and each step's median"
            + (p.bytesPerConnection() == null ? ". No line could be fitted."
                : String.format(Locale.ROOT, ". Dashed: the fitted line, %s base plus %s per connection.",
                    Summary.bytes(p.baseRssBytes()), Summary.bytes(p.bytesPerConnection()))),
        "open connections", "server RSS (MiB)", false)
        .dots("samples", "s0", samples, 2).dots("baseline and steps", "s1", steps, 4.5);
    if (p.bytesPerConnection() != null && p.baseRssBytes() != null) {
      double x1 = Math.max(1, Math.max(samples.stream().mapToDouble(q -> q[0]).max().orElse(0),
          steps.stream().mapToDouble(q -> q[0]).max().orElse(0)));
      chart.line("fitted line", "s3", List.of(new double[] {0, p.baseRssBytes() / mib},
          new double[] {x1, (p.baseRssBytes() + p.bytesPerConnection() * x1) / mib}));
    }
    return chart.render();
  }

  private static void stepsAndProjection(StringBuilder h, CapacityReport r) {
    h.append("<h2>Steps and projection</h2>\n");
    if (!r.steps().isEmpty()) {
      h.append("<table>\n<caption>Each step's measuring window</caption>\n<thead><tr><th scope=\"col\">Target</th>"
          + "<th scope=\"col\">Open</th><th scope=\"col\">Latency p50 (ms)</th><th scope=\"col\">Latency p99 (ms)</th>"
          + "<th scope=\"col\">Server RSS</th></tr></thead>\n<tbody>\n");
      for (var s : r.steps()) {
        h.append(String.format(Locale.ROOT, "<tr><td class=\"n\">%,d</td><td class=\"n\">%,d</td><td class=\"n\">%s</td>"
            + "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>%n", s.target(), s.connections(), ms(s.deliveryP50Ms()),
            ms(s.deliveryP99Ms()), esc(Summary.bytes(s.rssBytes()))));
      }
      h.append("</tbody>\n</table>\n");
    }
    var p = r.projection();
    if (p.plan() != null) {
      plan(h, r);
    }
    if (p.connectionsPerGiB() != null || p.bytesPerConnection() != null) {
      h.append("<table>\n<caption>Memory</caption>\n<tbody>\n");
      row(h, "Connections per GiB of server RSS", count(p.connectionsPerGiB()));
      row(h, "Bytes per connection (fitted slope)", count(p.bytesPerConnection()));
      row(h, "Base RSS (fitted intercept)", Summary.bytes(p.baseRssBytes()));
      row(h, "Fit R²", p.fitR2() == null ? "n/a (two points)" : String.format(Locale.ROOT, "%.3f", p.fitR2()));
      row(h, "Target connections", count(p.targetConnections()));
      row(h, "Memory of one instance", Summary.bytes(p.instanceMemoryBytes()));
      if (p.plan() == null) {
        row(h, "Connections per instance", count(p.connectionsPerInstance()));
        row(h, "Instances for the target", count(p.instancesForTarget()));
      }
      h.append("</tbody>\n</table>\n");
    }
    h.append("<p><strong>Assumptions:</strong> ").append(esc(p.assumptions() == null ? "none recorded" : p.assumptions())).append("</p>\n");
  }

  /** The capacity plan: what binds and what it needs, each limit, and the limits drawn against the steps. */
  private static void plan(StringBuilder h, CapacityReport r) {
    var p = r.projection();
    var plan = p.plan();
    // Green only for a number to act on: a plan that binds at 0 per instance has no instance count.
    h.append("<div class=\"verdict ").append(p.projected() && p.instancesForTarget() != null ? "ok" : "warn").append("\">").append(esc(plan.headline()))
        .append("</div>\n");
    h.append("<table>\n<caption>Limits per instance</caption>\n<thead><tr><th scope=\"col\">Limit</th>"
        + "<th scope=\"col\">Connections per instance</th><th scope=\"col\">How</th></tr></thead>\n<tbody>\n");
    for (var l : plan.limits()) {
      boolean binding = l.name().equals(plan.bindingLimit());
      h.append("<tr><th scope=\"row\">").append(esc(CapacityPlan.displayName(l.name()))).append(binding ? " (binding)" : "")
          .append("</th><td class=\"n\">").append(esc(l.connectionsPerInstance() != null ? count(l.connectionsPerInstance())
              : l.state().replace('-', ' '))).append("</td><td>").append(esc(l.basis())).append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n<table>\n<caption>Sizing</caption>\n<tbody>\n");
    row(h, "Objective", "delivery p99 ≤ " + CapacityPlan.num(plan.sloP99Ms()) + " ms and nothing lost");
    row(h, "Largest passing step", count(plan.largestPassingStep()));
    row(h, "Where the objective breaks (interpolated)", count(plan.latencyKneeConnections()));
    row(h, "Target connections", count(p.targetConnections()));
    row(h, "Connections per instance (binding limit)", count(p.connectionsPerInstance()));
    row(h, "Instances for the target", count(p.instancesForTarget()));
    h.append("</tbody>\n</table>\n");
    h.append(limitsChart(r));
  }

  /**
   * Each step's delivery p99 against its connections, the objective as a level line and each limit
   * as an upright line at the connections one instance holds by it. The x axis ends a quarter past
   * the larger of the largest step and the binding limit; limits further out are named, not drawn.
   */
  static String limitsChart(CapacityReport r) {
    var plan = r.projection().plan();
    List<double[]> p99 = new ArrayList<>();
    for (var s : r.steps()) {
      if (s.deliveryP99Ms() != null) {
        p99.add(new double[] {s.connections(), s.deliveryP99Ms()});
      }
    }
    double largest = r.steps().stream().mapToLong(CapacityReport.Step::connections).max().orElse(0);
    Long per = r.projection().connectionsPerInstance();
    double xMax = Math.max(1, 1.25 * Math.max(largest, per == null ? 0 : per));
    double yMax = 1.1 * Math.max(plan.sloP99Ms() == null ? 1 : plan.sloP99Ms(), p99.stream().mapToDouble(q -> q[1]).max().orElse(1));
    List<String> offChart = new ArrayList<>();
    SvgChart chart = new SvgChart("limits", "Capacity limits against connections", "", "connections on one instance",
        "delivery p99 (ms)", false);
    chart.dots("step p99", "s1", p99, 4.5);
    if (plan.sloP99Ms() != null) {
      chart.line("objective", "s6", List.of(new double[] {0, plan.sloP99Ms()}, new double[] {xMax, plan.sloP99Ms()}));
    }
    String[] classes = {"s3", "s4", "s5", "s7", "s2"};
    List<String> drawn = new ArrayList<>();
    for (int i = 0; i < plan.limits().size(); i++) {
      var l = plan.limits().get(i);
      if (l.connectionsPerInstance() == null) {
        continue;
      }
      String label = CapacityPlan.displayName(l.name()) + " " + count(l.connectionsPerInstance());
      if (l.connectionsPerInstance() > xMax) {
        offChart.add(label);
        continue;
      }
      drawn.add(label);
      chart.line(CapacityPlan.displayName(l.name()), classes[i % classes.length],
          List.of(new double[] {l.connectionsPerInstance(), 0}, new double[] {l.connectionsPerInstance(), yMax}));
    }
    String desc = String.format(Locale.ROOT, "Dots: each step's delivery p99. Level line: the objective, %s ms. Upright lines:"
        + " connections per instance by each limit (%s)%s.", CapacityPlan.num(plan.sloP99Ms()),
        drawn.isEmpty() ? "none with a number" : String.join(", ", drawn),
        offChart.isEmpty() ? "" : "; beyond the chart: " + String.join(", ", offChart));
    return chart.describedAs(desc).xUpTo(xMax).render() + "<p class=\"muted\">" + esc(desc) + "</p>\n";
  }

  // ---- text ----

  private static void row(StringBuilder h, String name, String value) {
    h.append("<tr><th scope=\"row\">").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
  }

  private static String count(Long v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%,d", v);
  }

  private static String ms(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
  }

  /** A relative path made safe for an {@code href}: each segment percent-encoded as a URI path. */
  private static String relativeHref(String path) {
    try {
      return new URI(null, null, path, null).getRawPath();
    } catch (URISyntaxException e) {
      return "gatling/";
    }
  }

  /** Text for HTML or XML content and attribute values: {@code & < > " '} escaped. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          // Control characters are not allowed in XML (the SVGs): show them as U+FFFD.
          b.append(ch < 0x20 && ch != '\n' && ch != '\t' ? '\uFFFD' : ch);
        }
      }
    }
    return b.toString();
  }
}
