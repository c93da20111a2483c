package dev.ssekit.load.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Hand-made runs for the report tests: a timeline of 500 ms points that ramps to {@code open}
 * streams over four points and holds them, each point with its own latencies, one step over the
 * hold, and a report whose counts are derived from them.
 */
public final class Runs {
  static final long MIB = 1L << 20;

  private Runs() {}

  /** Latencies of point k of a run whose latencies start at {@code base} µs. */
  static long[] latencies(long base, int k) {
    return new long[] {base + k * 100L, base + k * 100L + 3_000, base * 10 + k};
  }

  /**
   * A run.
   *
   * @param startMs its first point is at startMs + 500
   * @param open the streams it holds
   * @param latencyBase its latencies' scale in µs
   * @param points how many 500 ms points
   */
  public static RunRecord run(String scenario, String url, long startMs, long open, long latencyBase, int points) {
    return run(scenario, url, startMs, open, open, latencyBase, points);
  }

  /**
   * A run whose server holds {@code serverOpen} streams in all (this run's and other injectors'),
   * 10 KiB each on top of 100 MiB, ramping over the same four points.
   */
  static RunRecord run(String scenario, String url, long startMs, long open, long serverOpen, long latencyBase, int points) {
    List<RunRecord.TimelinePoint> timeline = new ArrayList<>();
    Histogram all = new Histogram(3);
    long peak = 0;
    for (int k = 1; k <= points; k++) {
      Histogram h = new Histogram(3);
      for (long v : latencies(latencyBase, k)) {
        h.recordValue(v);
      }
      all.add(h);
      long o = Math.min(open, open * k / 4);
      peak = Math.max(peak, o);
      long serverStreams = Math.min(serverOpen, serverOpen * k / 4);
      timeline.add(new RunRecord.TimelinePoint(startMs + 500L * k, o, 100 * MIB + serverStreams * 10_240, 40 * MIB + k * MIB,
          HistogramFile.encode(h)));
    }
    long from = startMs + 2_000;
    long to = startMs + 500L * points;
    RunRecord.StepRecord step = StepWindow.measure(open, from, to, timeline);
    Histogram connect = new Histogram(3);
    for (long i = 1; i <= open; i++) {
      connect.recordValue(1_000 + i * 10);
    }
    CapacityReport.Projection projection = Projections.project(100 * MIB, List.of(step), 100_000, 1L << 30);
    long expected = open * points;
    CapacityReport report = new CapacityReport(scenario,
        new CapacityReport.Target(url, url.replace("/events", "/publish"), url.replace("/events", "/metrics")),
        500L * points + 500,
        new CapacityReport.Connections(open, open, 0, peak, null, null),
        new CapacityReport.ConnectMs(ms(connect, 50), ms(connect, 95), ms(connect, 99), Projections.ms(connect.getMaxValue())),
        new CapacityReport.DeliveryLatencyMs(all.getTotalCount(), ms(all, 50), ms(all, 95), ms(all, 99), ms(all, 99.9),
            Projections.ms(all.getMaxValue())),
        new CapacityReport.Events((long) points, expected, expected, 0, 0, 0),
        new CapacityReport.Server(100 * MIB, 100 * MIB + serverOpen * 10_240, projection.bytesPerConnection()),
        new CapacityReport.Injector(40 * MIB + points * MIB, 1.5),
        List.of(Projections.step(step)),
        projection);
    Map<String, Histogram> histograms = new LinkedHashMap<>();
    histograms.put("deliveryLatency", all);
    histograms.put("connect", connect);
    Map<String, Long> diagnostics = new LinkedHashMap<>();
    diagnostics.put("messages", expected);
    diagnostics.put(InjectorBottleneck.CORES, 2L);
    diagnostics.put(InjectorBottleneck.MAX_HEAP, 512 * MIB);
    return new RunRecord(report, histograms, diagnostics, timeline, List.of(step));
  }

  private static Double ms(Histogram h, double p) {
    return Projections.percentileMs(h, p);
  }

  /** A copy of {@code r} with another report. */
  static RunRecord withReport(RunRecord r, CapacityReport report) {
    return new RunRecord(report, r.histograms(), r.diagnostics(), r.timeline(), r.steps());
  }
}
