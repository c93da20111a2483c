package dev.ssekit.load.report;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** What a step's measuring window says, read from the run's timeline. */
public final class StepWindow {
  private StepWindow() {}

  /**
   * The step measured over {@code (fromMs, toMs]}: open streams are the median of the points in
   * the window; server RSS is the median of the points with the window's most streams open (so
   * a connection lost in the window does not drag the figure); latencies are every period's in
   * the window, added.
   */
  public static RunRecord.StepRecord measure(long target, long fromMs, long toMs, List<RunRecord.TimelinePoint> timeline) {
    List<Long> open = new ArrayList<>();
    long mostOpen = -1;
    for (RunRecord.TimelinePoint p : timeline) {
      if (p.atMs() > fromMs && p.atMs() <= toMs) {
        open.add(p.open());
        mostOpen = Math.max(mostOpen, p.open());
      }
    }
    Histogram latency = new Histogram(3);
    List<Long> rss = new ArrayList<>();
    for (RunRecord.TimelinePoint p : timeline) {
      if (p.atMs() > fromMs && p.atMs() <= toMs) {
        latency.add(p.latency());
        if (p.open() == mostOpen && p.serverRssBytes() != null) {
          rss.add(p.serverRssBytes());
        }
      }
    }
    return new RunRecord.StepRecord(target, fromMs, toMs, median(open, 0L), median(rss, null), latency,
        cpuSpent(fromMs, toMs, timeline));
  }

  /** The server's CPU seconds spent over {@code (fromMs, toMs]}, or null with fewer than two readings. */
  static Double cpuSpent(long fromMs, long toMs, List<RunRecord.TimelinePoint> timeline) {
    RunRecord.TimelinePoint first = null;
    RunRecord.TimelinePoint last = null;
    for (RunRecord.TimelinePoint p : timeline) {
      if (p.serverCpuSeconds() == null || p.atMs() > toMs) {
        continue;
      }
      if (p.atMs() <= fromMs || first == null) {
        first = p;
      }
      last = p;
    }
    if (first == null || last == null || last.atMs() <= fromMs || last.atMs() == first.atMs()) {
      return null;
    }
    return Math.round((last.serverCpuSeconds() - first.serverCpuSeconds()) * 1000) / 1000.0;
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
