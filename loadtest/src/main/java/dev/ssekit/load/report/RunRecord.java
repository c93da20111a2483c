package dev.ssekit.load.report;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Everything one run measured, as {@code histograms.json} keeps it: the report, the whole-run
 * histograms, the diagnostic counters, a timeline of periods and the steps, each with its own
 * latency histogram. {@code capacity.html} is drawn from it and {@code merge} adds several of them.
 * Histograms are in microseconds.
 *
 * @param capacity what {@code capacity.json} says
 * @param histograms whole-run histograms by name ({@code deliveryLatency}, {@code connect},
 *     {@code firstEvent}, and whatever a scenario adds)
 * @param diagnostics counters that explain the figures (messages seen, unparsable ones, …)
 * @param timeline one point per sampling period, in time order
 * @param steps one record per step (hold and fanout have one: the hold)
 */
public record RunRecord(
    CapacityReport capacity,
    Map<String, Histogram> histograms,
    Map<String, Long> diagnostics,
    List<TimelinePoint> timeline,
    List<StepRecord> steps) {

  /**
   * One sampling period.
   *
   * @param atMs the period's end, epoch milliseconds
   * @param open streams open at that moment
   * @param serverRssBytes the server's RSS then, or null when not measured (or the read failed)
   * @param injectorHeapBytes this injector's heap in use then
   * @param deliveryLatency latencies of the deliveries recorded during the period, kept encoded
   *     ({@link HistogramFile#encode}) because a long run has thousands of points
   * @param serverCpuSeconds the server's CPU time (user + system) since it started, read then
   *     from {@code /proc/PID/stat}, or null when not read
   * @param injector this injector's own readings then, or null (reports written before them)
   */
  public record TimelinePoint(
      long atMs, long open, Long serverRssBytes, long injectorHeapBytes, String deliveryLatency, Double serverCpuSeconds,
      InjectorReading injector) {

    /** A point without the server's CPU time. */
    public TimelinePoint(long atMs, long open, Long serverRssBytes, long injectorHeapBytes, String deliveryLatency) {
      this(atMs, open, serverRssBytes, injectorHeapBytes, deliveryLatency, null, null);
    }

    /** A point without the injector's own readings. */
    public TimelinePoint(long atMs, long open, Long serverRssBytes, long injectorHeapBytes, String deliveryLatency,
        Double serverCpuSeconds) {
      this(atMs, open, serverRssBytes, injectorHeapBytes, deliveryLatency, serverCpuSeconds, null);
    }

    /** The period's latency histogram, decoded. */
    public Histogram latency() {
      return HistogramFile.decode(deliveryLatency);
    }
  }

  /**
   * The injector's own readings at one sample (merged: the injectors' sums).
   *
   * @param cpuSeconds its CPU time (user + system) so far
   * @param rssBytes its resident memory then, or null when it could not be read
   * @param published the events its publisher had had accepted so far, or null when it does not publish
   */
  public record InjectorReading(double cpuSeconds, Long rssBytes, Long published) {}

  /**
   * One step: the window in which its connections were held and measured.
   *
   * @param target the connections the step asked for
   * @param fromMs start of the measuring window, epoch ms
   * @param toMs end of the measuring window, epoch ms
   * @param open streams open over the window (median of the samples)
   * @param rssBytes server RSS over the window (median of the samples with the most streams open),
   *     or null
   * @param deliveryLatency latencies of the deliveries received in the window
   * @param serverCpuSeconds the server's CPU time spent over the window, or null when not read
   * @param openMin the fewest streams open at any sample in the window, or null when not recorded
   * @param cpuSpanMs the time between the two CPU readings {@code serverCpuSeconds} is the
   *     difference of, or null
   * @param injector what the injector spent and published in the window, or null when not recorded
   */
  public record StepRecord(
      long target, long fromMs, long toMs, long open, Long rssBytes, Histogram deliveryLatency, Double serverCpuSeconds,
      Long openMin, Long cpuSpanMs, CapacityReport.StepInjector injector) {

    /** A step without the server's CPU time. */
    public StepRecord(long target, long fromMs, long toMs, long open, Long rssBytes, Histogram deliveryLatency) {
      this(target, fromMs, toMs, open, rssBytes, deliveryLatency, null, null, null, null);
    }

    /** A step without the injector's own figures. */
    public StepRecord(long target, long fromMs, long toMs, long open, Long rssBytes, Histogram deliveryLatency,
        Double serverCpuSeconds, Long openMin, Long cpuSpanMs) {
      this(target, fromMs, toMs, open, rssBytes, deliveryLatency, serverCpuSeconds, openMin, cpuSpanMs, null);
    }

    /** A step without its fewest open streams or its CPU readings' span. */
    public StepRecord(long target, long fromMs, long toMs, long open, Long rssBytes, Histogram deliveryLatency,
        Double serverCpuSeconds) {
      this(target, fromMs, toMs, open, rssBytes, deliveryLatency, serverCpuSeconds, null, null, null);
    }
  }
}
