package dev.ssekit.load.report;

import static dev.ssekit.load.report.Html.count;
import static dev.ssekit.load.report.Html.esc;
import static dev.ssekit.load.report.Html.ms;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The charts of {@code capacity.html}, each an {@link SvgChart} with its description: open
 * connections and delivery latency over time, server memory against open connections with the
 * fitted line, and the capacity plan's limits against the steps. Each says in words when it has
 * nothing to draw.
 */
final class ReportCharts {
  /** Charts over time draw at most this many points (longer timelines add neighbouring periods). */
  static final int MAX_POINTS = 360;

  private ReportCharts() {}

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

  /** Open connections over time. */
  static String openChart(RunRecord run) {
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

  /** Delivery latency p50, p99 and max per period over time (a log scale when the tail dwarfs the median). */
  static String latencyChart(RunRecord run) {
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

  /** Server RSS against open connections: the samples, the baseline and steps, and the fitted line. */
  static String memoryChart(RunRecord run) {
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
      return "<p>Server memory was " + esc(Summary.memoryNotMeasured(r.target())) + ".</p>\n";
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
}
