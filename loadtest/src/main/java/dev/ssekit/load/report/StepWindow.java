package dev.ssekit.load.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;

/** What a step's measuring window says, read from the run's timeline. */
public final class StepWindow {
  private StepWindow() {}

  /**
   * The step measured over {@code (fromMs, toMs]}: open streams are the median of the points in
   * the window (and their fewest, so a step that lost connections late in its window shows it);
   * server RSS is the median of the points with the window's most streams open (so
   * a connection lost in the window does not drag the figure); latencies are every period's in
   * the window, added.
   */
  public static RunRecord.StepRecord measure(long target, long fromMs, long toMs, List<RunRecord.TimelinePoint> timeline) {
    List<Long> open = new ArrayList<>();
    long mostOpen = -1;
    Long fewestOpen = null;
    for (RunRecord.TimelinePoint p : timeline) {
      if (p.atMs() > fromMs && p.atMs() <= toMs) {
        open.add(p.open());
        mostOpen = Math.max(mostOpen, p.open());
        fewestOpen = fewestOpen == null ? p.open() : Math.min(fewestOpen, p.open());
      }
    }
    Histogram latency = new Histogram(3);
    List<Long> rss = new ArrayList<>();
    List<Long> injectorRss = new ArrayList<>();
    for (RunRecord.TimelinePoint p : timeline) {
      if (p.atMs() > fromMs && p.atMs() <= toMs) {
        latency.add(p.latency());
        if (p.open() == mostOpen && p.serverRssBytes() != null) {
          rss.add(p.serverRssBytes());
        }
        if (p.open() == mostOpen && p.injector() != null && p.injector().rssBytes() != null) {
          injectorRss.add(p.injector().rssBytes());
        }
      }
    }
    CpuSpent cpu = cpuSpent(fromMs, toMs, timeline);
    return new RunRecord.StepRecord(target, fromMs, toMs, median(open, 0L), median(rss, null), latency,
        cpu == null ? null : cpu.seconds(), fewestOpen, cpu == null ? null : cpu.spanMs(),
        injector(fromMs, toMs, timeline, median(injectorRss, null)));
  }

  /**
   * The injector's CPU seconds and published events between the readings that bracket {@code
   * (fromMs, toMs]} ({@link #bracket}) and the time between them, with {@code rss}; only {@code
   * rss} (or null) without two readings to take a difference of.
   */
  static CapacityReport.StepInjector injector(long fromMs, long toMs, List<RunRecord.TimelinePoint> timeline, Long rss) {
    RunRecord.TimelinePoint[] ends = bracket(fromMs, toMs, timeline, p -> p.injector() != null);
    if (ends == null) {
      return rss == null ? null : new CapacityReport.StepInjector(null, rss, null, null);
    }
    RunRecord.InjectorReading first = ends[0].injector();
    RunRecord.InjectorReading last = ends[1].injector();
    Long published = first.published() == null || last.published() == null ? null
        : Math.max(0, last.published() - first.published());
    return new CapacityReport.StepInjector(Math.round((last.cpuSeconds() - first.cpuSeconds()) * 1000) / 1000.0, rss, published,
        ends[1].atMs() - ends[0].atMs());
  }

  /**
   * The server's CPU seconds between two readings and the time between them ({@code spanMs}): the
   * busy cores are one over the other, never the seconds over the window.
   */
  public record CpuSpent(double seconds, long spanMs) {}

  /**
   * The server's CPU seconds spent between the readings that bracket {@code (fromMs, toMs]}
   * ({@link #bracket}); null without two such readings.
   */
  static CpuSpent cpuSpent(long fromMs, long toMs, List<RunRecord.TimelinePoint> timeline) {
    RunRecord.TimelinePoint[] ends = bracket(fromMs, toMs, timeline, p -> p.serverCpuSeconds() != null);
    return ends == null ? null : new CpuSpent(
        Math.round((ends[1].serverCpuSeconds() - ends[0].serverCpuSeconds()) * 1000) / 1000.0, ends[1].atMs() - ends[0].atMs());
  }

  /**
   * The two points with a reading ({@code read}) that a counter over {@code (fromMs, toMs]} is the
   * difference of: the last at or before {@code fromMs} (else the first in the window), and the
   * last in the window. Null when there is no reading in the window, or only one point in all.
   */
  private static RunRecord.TimelinePoint[] bracket(long fromMs, long toMs, List<RunRecord.TimelinePoint> timeline,
      Predicate<RunRecord.TimelinePoint> read) {
    RunRecord.TimelinePoint first = null;
    RunRecord.TimelinePoint last = null;
    for (RunRecord.TimelinePoint p : timeline) {
      if (!read.test(p) || p.atMs() > toMs) {
        continue;
      }
      if (p.atMs() <= fromMs || first == null) {
        first = p;
      }
      last = p;
    }
    if (first == null || last.atMs() <= fromMs || last.atMs() == first.atMs()) {
      return null;
    }
    return new RunRecord.TimelinePoint[] {first, last};
  }

  private static Long median(List<Long> values, Long none) {
    if (values.isEmpty()) {
      return none;
    }
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}
