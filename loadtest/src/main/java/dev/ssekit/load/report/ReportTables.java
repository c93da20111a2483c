package dev.ssekit.load.report;

import static dev.ssekit.load.report.Html.count;
import static dev.ssekit.load.report.Html.esc;
import static dev.ssekit.load.report.Html.ms;
import static dev.ssekit.load.report.Html.row;

import java.util.Locale;

/**
 * The sections of {@code capacity.html} that are text and tables: the verdict, the summary, the
 * injector warning, the comparison with a baseline, the steps and the projection with its capacity
 * plan. {@link CapacityHtml} puts them in the page, with {@link ReportCharts}' charts between.
 */
final class ReportTables {
  private ReportTables() {}

  /** The verdict box: OK or FAILED with the problems, and the baseline's verdict if there is one. */
  static void verdict(StringBuilder h, CapacityReport r, BaselineComparison baseline) {
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

  /** The summary table: connections, connect time, first event, latency, events, failures, memory, capacity, injector. */
  static void summary(StringBuilder h, RunRecord run) {
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
        ? Summary.memoryNotMeasured(r.target())
        : "baseline " + Summary.bytes(s.rssBytesBaseline()) + ", peak " + Summary.bytes(s.rssBytesPeak())
            + Summary.summedOver(r.target()) + ", " + Summary.perConnection(s.bytesPerConnection()) + Summary.fitNote(r.projection()));
    if (r.projection().plan() != null) {
      row(h, "Capacity", r.projection().plan().headline());
    }
    long injectors = run.diagnostics().getOrDefault(Merge.INJECTORS, 1L);
    row(h, "Injector", "heap peak " + Summary.bytes(r.injector().heapBytesPeak())
        + String.format(Locale.ROOT, ", CPU %.1f s", r.injector().cpuSeconds())
        + (injectors > 1 ? " (heap: the largest of " + injectors + " injectors; CPU: their sum)" : "")
        + (r.injector().rssBytesPeak() == null ? "" : ", RSS peak " + Summary.bytes(r.injector().rssBytesPeak()))
        + (r.injector().bytesPerConnection() == null ? "" : ", " + Summary.bytes(r.injector().bytesPerConnection()) + " per stream held"));
    if (r.injector().streamsPerMachine() != null) {
      row(h, "Injector machine", String.format(Locale.ROOT, "about %,d streams at this rate (%s)",
          r.injector().streamsPerMachine(), r.injector().streamsPerMachineBasis()));
    }
    h.append("</tbody>\n</table>\n");
  }

  /** The warning when the injector may be the bottleneck, and the rule that decides it. */
  static void injectorWarning(StringBuilder h, RunRecord run) {
    String behind = run.capacity().publisherBehind();
    if (behind != null) {
      h.append("<p class=\"warn\"><strong>Lighter load than asked:</strong> ").append(esc(behind)).append(".</p>\n");
    }
    String why = InjectorBottleneck.why(run);
    if (why != null) {
      h.append("<p class=\"warn\"><strong>The injector may be the bottleneck:</strong> ").append(esc(why))
          .append(". Latency and connect times may then measure the load tester rather than the server:"
              + " give it more memory (-Xmx) or spread the connections over several injectors and merge their reports.</p>\n");
    }
    h.append(String.format(Locale.ROOT, "<p class=\"muted\">Rule: the injector is flagged when its CPU seconds reach %.0f %% of"
        + " wall time × cores, its heap peak %.0f %% of its maximum heap, or its readers fell behind (streams still"
        + " receiving their backlog when the drain after the hold ran out, with events not yet read)%s.</p>%n", InjectorBottleneck.SHARE * 100, InjectorBottleneck.SHARE * 100,
        run.diagnostics().containsKey(InjectorBottleneck.CORES) ? "" : " (this run did not record its cores and maximum heap, so the rule was not applied)"));
  }

  /** Each figure against the baseline: before, now, change, limit, verdict and rule. */
  static void baselineTable(StringBuilder h, BaselineComparison b) {
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

  /** The steps table, the capacity plan, the memory figures and the assumptions. */
  static void stepsAndProjection(StringBuilder h, CapacityReport r) {
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
    h.append(ReportCharts.limitsChart(r));
  }
}
