package dev.ssekit.load.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * From measured steps to the report's figures: each step's line in {@code capacity.json}, and the
 * projection — a straight line fitted to server RSS against open connections (least squares over
 * the baseline with no connection and every step), and what it means for a target count. A run
 * and a merge of runs both come through here, so their figures are derived the same way.
 */
public final class Projections {
  private static final double GIB = 1L << 30;

  private Projections() {}

  /** A step as {@code capacity.json} writes it. */
  public static CapacityReport.Step step(RunRecord.StepRecord s) {
    Histogram h = s.deliveryLatency();
    return new CapacityReport.Step(s.open(), s.rssBytes(), percentileMs(h, 99), s.target(), percentileMs(h, 50));
  }

  /** A percentile of a histogram in µs, in ms with two decimals, or null when it is empty. */
  public static Double percentileMs(Histogram h, double percentile) {
    return h == null || h.getTotalCount() == 0 ? null : ms(h.getValueAtPercentile(percentile));
  }

  /** µs to ms with two decimals. */
  public static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  /** A least-squares line; {@code r2} is null with fewer than three points. */
  public record Line(double slope, double intercept, Double r2, int points) {}

  /** Fits y = slope·x + intercept; empty when fewer than two distinct x values. */
  public static java.util.Optional<Line> fit(List<double[]> points) {
    int n = points.size();
    double sx = 0;
    double sy = 0;
    for (double[] p : points) {
      sx += p[0];
      sy += p[1];
    }
    if (n < 2) {
      return java.util.Optional.empty();
    }
    double mx = sx / n;
    double my = sy / n;
    double sxx = 0;
    double sxy = 0;
    double syy = 0;
    for (double[] p : points) {
      sxx += (p[0] - mx) * (p[0] - mx);
      sxy += (p[0] - mx) * (p[1] - my);
      syy += (p[1] - my) * (p[1] - my);
    }
    if (sxx == 0) {
      return java.util.Optional.empty();
    }
    double slope = sxy / sxx;
    double intercept = my - slope * mx;
    Double r2 = n < 3 ? null : syy == 0 ? 1.0 : (sxy * sxy) / (sxx * syy);
    return java.util.Optional.of(new Line(slope, intercept, r2, n));
  }

  /**
   * The projection.
   *
   * @param baselineRss the server's RSS before any connection, or null
   * @param steps the measured steps
   * @param target the connection count to size for
   * @param instanceMemory the memory of one server instance
   */
  public static CapacityReport.Projection project(
      Long baselineRss, List<RunRecord.StepRecord> steps, long target, long instanceMemory) {
    List<double[]> points = new ArrayList<>();
    if (baselineRss != null) {
      points.add(new double[] {0, baselineRss});
    }
    for (RunRecord.StepRecord s : steps) {
      if (s.rssBytes() != null && s.open() > 0) {
        points.add(new double[] {s.open(), s.rssBytes()});
      }
    }
    var line = fit(points);
    if (line.isEmpty()) {
      return CapacityReport.Projection.none(
          baselineRss == null && steps.stream().allMatch(s -> s.rssBytes() == null)
              ? "server memory was not measured (give --metrics-url or --server-pid)"
              : "too few measurements of server memory against connections to fit a line");
    }
    Line l = line.get();
    String fitText = String.format(Locale.ROOT,
        "Server RSS fitted as a straight line over %d points (%s): %,.0f bytes per connection on top of %s%s.",
        l.points(),
        baselineRss != null ? "the baseline with no connection and each step's median RSS with its connections open"
            : "each step's median RSS with its connections open",
        l.slope(), Summary.bytes(Math.round(l.intercept())),
        l.r2() == null ? " (no R²: a line through two points always fits them, so nothing says memory grows linearly)"
            : String.format(Locale.ROOT, ", R² %.3f", l.r2()));
    long slope = Math.round(l.slope());
    long base = Math.round(l.intercept());
    if (slope <= 0) {
      return new CapacityReport.Projection(null, slope, base, round3(l.r2()), target, instanceMemory, null, null,
          fitText + " Memory did not grow with connections in this run (the server's heap may have had room"
              + " to spare), so nothing is projected: hold more connections, or for longer.");
    }
    long perGiB = (long) Math.floor(GIB / l.slope());
    long perInstance = (long) Math.floor((instanceMemory - l.intercept()) / l.slope());
    Long instances = perInstance > 0 ? (target + perInstance - 1) / perInstance : null;
    String sizing = perInstance > 0
        ? String.format(Locale.ROOT, " An instance of %s then holds %,d connections; %,d connections need %,d instance%s.",
            Summary.bytes(instanceMemory), perInstance, target, instances, instances == 1 ? "" : "s")
        : String.format(Locale.ROOT, " An instance of %s does not even hold the server's base memory.", Summary.bytes(instanceMemory));
    long largest = steps.stream().filter(s -> s.rssBytes() != null).mapToLong(RunRecord.StepRecord::open).max().orElse(0);
    String reach = largest > 0 && target > 10 * largest
        ? String.format(Locale.ROOT, " The target is %,.0f× the most connections measured (%,d): a rough guide, not a"
            + " measurement; run a capacity scenario with steps nearer the target.", (double) target / largest, largest)
        : "";
    return new CapacityReport.Projection(perGiB, slope, base, round3(l.r2()), target, instanceMemory,
        Math.max(0, perInstance), instances,
        fitText + sizing + reach
            + " Assumes memory keeps growing linearly past the largest step, at this run's event rate and"
            + " payload size; that memory, not CPU or file descriptors, is the limit (each connection also"
            + " holds one file descriptor: raise the server's limit to match); and no headroom (leave some).");
  }

  private static Double round3(Double v) {
    return v == null ? null : Math.round(v * 1000) / 1000.0;
  }
}
