package dev.ssekit.load.report;

import java.util.List;
import java.util.Locale;

/** The short text summary printed after a run: what was held, what arrived, what it cost. */
public final class Summary {
  private Summary() {}

  public static String text(CapacityReport r, String reportDir) {
    return text(r, List.of(), reportDir);
  }

  /** The summary with a scenario's own lines ({@code details}) before the verdict. */
  public static String text(CapacityReport r, List<String> details, String reportDir) {
    StringBuilder sb = new StringBuilder();
    var c = r.connections();
    var e = r.events();
    var d = r.deliveryLatencyMs();
    var s = r.server();
    sb.append(String.format(Locale.ROOT, "ssekit load: %s against %s (%.1f s)%n", r.scenario(), against(r.target()), r.durationMs() / 1000.0));
    if (r.target().instances() > 1) {
      wrap(sb, "  instances    ", r.target().instances() + ", the connections in turn: " + String.join(", ", r.target().urls()));
    }
    sb.append(String.format(Locale.ROOT, "  connections  %d requested, %d opened, %d failed, peak %d open%n", c.requested(), c.opened(), c.failed(), c.peakOpen()));
    var cm = r.connectMs();
    sb.append(String.format(Locale.ROOT, "  connect      p50 %s  p99 %s  max %s ms%n", ms(cm.p50()), ms(cm.p99()), ms(cm.max())));
    wrap(sb, CONNECT_MEANING);
    sb.append(String.format(Locale.ROOT, "  events       published %s, expected deliveries %d, delivered %d, lost %d, duplicated %d, out of order %d%s%n",
        e.published() == null ? "n/a (server-published)" : e.published().toString(), e.expectedDeliveries(), e.delivered(), e.lost(), e.duplicated(), e.outOfOrder(),
        e.notYetRead() > 0 ? ", not yet read by this injector " + e.notYetRead() : ""));
    if (e.publishing() != null) {
      var pub = e.publishing();
      sb.append(String.format(Locale.ROOT, "  publishing   %s events/s asked, %s held; a publish took p50 %s  p99 %s ms%n",
          CapacityPlan.num(pub.ratePerSecond()), pub.publishedPerSecond() == null ? "n/a" : String.format(Locale.ROOT, "%.2f", pub.publishedPerSecond()),
          ms(pub.roundTripP50Ms()), ms(pub.roundTripP99Ms())));
    }
    for (var f : r.failures()) {
      sb.append(String.format(Locale.ROOT, "  failure      %s × %d: %s%n", f.kind(), f.count(), f.message()));
    }
    sb.append(String.format(Locale.ROOT, "  latency      %d samples: p50 %s  p95 %s  p99 %s  p99.9 %s  max %s ms%n", d.count(), ms(d.p50()), ms(d.p95()), ms(d.p99()), ms(d.p999()), ms(d.max())));
    if (s.rssBytesBaseline() != null) {
      sb.append(String.format(Locale.ROOT, "  server RSS   baseline %s, peak %s%s, %s%s%n", bytes(s.rssBytesBaseline()),
          bytes(s.rssBytesPeak()), summedOver(r.target()), perConnection(s.bytesPerConnection()), fitNote(r.projection())));
    } else {
      wrap(sb, "  server RSS   ", memoryNotMeasured(r.target()));
    }
    if (r.steps().size() > 1) {
      for (var step : r.steps()) {
        sb.append(String.format(Locale.ROOT, "  step %6d  %d open, latency p50 %s  p99 %s ms, server RSS %s%s%s%n",
            step.target(), step.connections(), ms(step.deliveryP50Ms()), ms(step.deliveryP99Ms()), bytes(step.rssBytes()),
            step.publishedPerSecond() == null ? "" : String.format(Locale.ROOT, ", %.2f events/s", step.publishedPerSecond()),
            step.serverCpuMicrosPerDelivery() == null ? ""
                : String.format(Locale.ROOT, ", server CPU %.1f µs/delivery", step.serverCpuMicrosPerDelivery())));
      }
    }
    var p = r.projection();
    if (p.plan() != null) {
      plan(sb, p.plan());
    } else if (p.connectionsPerGiB() != null) {
      sb.append(String.format(Locale.ROOT, "  projection   %,d connections per GiB; %s", p.connectionsPerGiB(),
          p.instancesForTarget() == null ? "an instance of " + bytes(p.instanceMemoryBytes()) + " holds none\n"
              : String.format(Locale.ROOT, "%,d connections need %,d instance%s of %s%n", p.targetConnections(),
                  p.instancesForTarget(), p.instancesForTarget() == 1 ? "" : "s", bytes(p.instanceMemoryBytes()))));
      // The figure never stands without how it was made (as in capacity.json and capacity.html).
      if (p.assumptions() != null) wrap(sb, p.assumptions());
    } else if (p.assumptions() != null && s.rssBytesBaseline() != null) {
      sb.append("  projection   none\n");
      wrap(sb, p.assumptions());
    }
    var in = r.injector();
    sb.append(String.format(Locale.ROOT, "  injector     heap peak %s, CPU %.1f s%s%s%n", bytes(in.heapBytesPeak()), in.cpuSeconds(),
        in.rssBytesPeak() == null ? "" : ", RSS peak " + bytes(in.rssBytesPeak()),
        in.bytesPerConnection() == null ? "" : ", " + bytes(in.bytesPerConnection()) + " per stream held"));
    if (in.streamsPerMachine() != null) {
      wrap(sb, String.format(Locale.ROOT, "a machine like this one drives about %,d streams at this rate (%s)",
          in.streamsPerMachine(), in.streamsPerMachineBasis()));
    }
    details.forEach(line -> sb.append(line).append('\n'));
    if (e.expectedDeliveries() == 0) {
      sb.append("  note: no sequenced events were expected, so loss and duplication were not measured\n");
    }
    sb.append(r.deliveryFailed()
        ? "  FAILED: " + String.join("; ", r.problems()) + "\n"
        : "  OK: nothing lost or duplicated, nothing out of order, all " + c.opened() + " connections opened\n");
    sb.append("  report: ").append(reportDir).append('\n');
    return sb.toString();
  }

  /** "URL", or "URL and N more" when the connections were spread over several instances. */
  static String against(CapacityReport.Target t) {
    return t.instances() > 1 ? t.url() + " and " + (t.instances() - 1) + " more" : t.url();
  }

  /** " (N instances summed)" when the server's memory was read from every one of several instances, else "". */
  static String summedOver(CapacityReport.Target t) {
    return t.instances() > 1 ? " (" + t.instances() + " instances summed)" : "";
  }

  /**
   * Why the server's memory is not in the report: not asked for, or (several instances) not
   * measurable for one instance, and so nothing projected.
   */
  static String memoryNotMeasured(CapacityReport.Target t) {
    return t.instances() > 1
        ? "not measured: the connections were spread over " + t.instances() + " instances and their memory was not"
            + " read; nothing is projected (give one readable --server-pid per instance, or measure one alone with --url)"
        : "not measured (give --metrics-url or --server-pid)";
  }

  /**
   * The capacity plan in a few lines: the one to act on (the binding limit and the instances, or
   * why there is no number), the largest passing step, then one line per limit with its figure and
   * a few words on how it was found (the full reason is in capacity.json and capacity.html).
   */
  private static void plan(StringBuilder sb, CapacityReport.Plan plan) {
    wrap(sb, "  capacity     ", plan.headline());
    String objective = "p99 ≤ " + CapacityPlan.num(plan.sloP99Ms()) + " ms, nothing lost";
    wrap(sb, plan.largestPassingStep() == null ? "no step passed (" + objective + ")"
        : String.format(Locale.ROOT, "largest passing step %,d connections (%s)%s", plan.largestPassingStep(), objective,
            plan.latencyKneeConnections() == null ? ""
                : String.format(Locale.ROOT, "; the objective breaks at about %,d", plan.latencyKneeConnections())));
    for (var l : plan.limits()) {
      if (CapacityReport.Plan.NOT_ENOUGH_DATA.equals(plan.status()) && CapacityPlan.MEMORY.equals(l.name())) {
        continue; // the headline gives memory's reason already
      }
      sb.append(limitLine(l)).append('\n');
    }
  }

  /** "               memory            473,088 per instance  1.9 KiB per connection, R² 0.998". */
  static String limitLine(CapacityReport.Limit l) {
    String figure = l.connectionsPerInstance() != null ? String.format(Locale.ROOT, "%,d per instance", l.connectionsPerInstance())
        : l.state().replace('-', ' ');
    return String.format(Locale.ROOT, "%15s%-17s %-21s %s", "", CapacityPlan.displayName(l.name()),
        figure, l.reason() != null ? l.reason() : l.basis());
  }

  /** What the connect figures measure, and why Gatling's own report shows lower ones for the same run. */
  public static final String CONNECT_MEANING = "from each virtual user's connect step until its stream was open, time"
      + " queued in the injector included; Gatling's report times the request alone (sent to response head), so its"
      + " figures for the same run are lower.";

  /** After the per-connection figure: that it is not a trend when the plan found too little data to fit memory. */
  static String fitNote(CapacityReport.Projection p) {
    if (p.plan() == null || p.bytesPerConnection() == null) {
      return "";
    }
    var memory = p.plan().limit(CapacityPlan.MEMORY);
    return memory != null && CapacityReport.Limit.NOT_ENOUGH_DATA.equals(memory.state()) ? " (too little data to fit)" : "";
  }

  /** Summary text under the figures: indented to the value column, cut at 100 columns. */
  static void wrap(StringBuilder sb, String text) {
    wrap(sb, "", text);
  }

  /**
   * {@code text} cut at spaces into lines of at most 100 columns (a longer word stands alone):
   * the first after {@code first} padded to the value column (15), the others indented to it.
   */
  static void wrap(StringBuilder sb, String first, String text) {
    String indent = " ".repeat(15);
    StringBuilder line = new StringBuilder(first.length() >= 15 ? first : first + indent.substring(first.length()));
    int start = line.length();
    for (String word : text.split(" ")) {
      if (line.length() > start && line.length() + 1 + word.length() > 100) {
        sb.append(line).append('\n');
        line = new StringBuilder(indent);
        start = indent.length();
      }
      if (line.length() > start) line.append(' ');
      line.append(word);
    }
    if (line.length() > start) sb.append(line).append('\n');
  }

  /**
   * The summary's line for the time to each stream's first event ({@code firstEvent} among the
   * run's histograms), as a run and a merge both print it; none when no stream had one.
   */
  public static List<String> firstEventLines(RunRecord run) {
    String first = firstEvent(run.histograms().get("firstEvent"));
    return first == null ? List.of() : List.of("  first event  " + first + ", ms after the connect began");
  }

  /**
   * A merged run whose injectors each published their share (--injectors, --injector K/N): what
   * each stream checked, as the events line counts only each injector's own events. Empty otherwise.
   */
  public static List<String> injectorLines(RunRecord run) {
    Long peers = run.diagnostics().get(Merge.PEER_EVENTS);
    Long injectors = run.diagnostics().get(Merge.INJECTORS);
    if (peers == null || injectors == null || injectors < 2) {
      return List.of();
    }
    return List.of(String.format(Locale.ROOT, "  injectors    %d, each publishing its share under its own run id: each stream"
        + " checked%n               its own injector's events for loss (the counts above), the %,d of the other%s for"
        + " repeats and order", injectors, peers, injectors == 2 ? "" : "s"));
  }

  /**
   * "p50 …, p95 …, p99 …, max …" of the time from the start of a connect to the stream's first
   * event (µs histogram), or null when no stream had one.
   */
  public static String firstEvent(org.HdrHistogram.Histogram h) {
    if (h == null || h.getTotalCount() == 0) {
      return null;
    }
    return String.format(Locale.ROOT, "p50 %s, p95 %s, p99 %s, max %s (%,d streams)",
        ms(Projections.percentileMs(h, 50)), ms(Projections.percentileMs(h, 95)), ms(Projections.percentileMs(h, 99)),
        ms(Projections.ms(h.getMaxValue())), h.getTotalCount());
  }

  private static String ms(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
  }

  /**
   * The fitted bytes per connection, or, when the line is flat or falls (a heap with room to spare,
   * too few connections), that no growth was measured: a negative cost would read as nonsense.
   */
  static String perConnection(Long slope) {
    if (slope == null) {
      return "n/a per connection";
    }
    return slope > 0 ? bytes(slope) + " per connection"
        : "no growth per connection measured (fitted slope " + bytes(slope) + ")";
  }

  static String bytes(Long b) {
    if (b == null) {
      return "n/a";
    }
    double v = b;
    if (Math.abs(v) >= 1 << 30) {
      return String.format(Locale.ROOT, "%.2f GiB", v / (1 << 30));
    }
    if (Math.abs(v) >= 1 << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", v / (1 << 20));
    }
    if (Math.abs(v) >= 1 << 10) {
      return String.format(Locale.ROOT, "%.1f KiB", v / (1 << 10));
    }
    return b + " B";
  }
}
