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
    return new CapacityReport.Step(s.open(), s.rssBytes(), percentileMs(h, 99), s.target(), percentileMs(h, 50),
        s.toMs() - s.fromMs(), h == null ? null : h.getTotalCount(), s.serverCpuSeconds(), s.openMin(), s.cpuSpanMs(),
        s.injector());
  }

  /**
   * The injector's resident memory per stream held: the slope of a straight line fitted to its RSS
   * against the streams each step held; null with fewer than three steps measured or a slope not
   * above zero.
   */
  public static Long injectorBytesPerConnection(List<CapacityReport.Step> steps) {
    List<double[]> points = new ArrayList<>();
    for (CapacityReport.Step s : steps) {
      if (s.injector() != null && s.injector().rssBytes() != null) {
        points.add(new double[] {s.held(), s.injector().rssBytes()});
      }
    }
    if (points.size() < 3) {
      return null;
    }
    return fit(points).filter(l -> l.slope() > 0).map(l -> Math.round(l.slope())).orElse(null);
  }

  /**
   * The streams one injector machine like this run's could drive at this run's rate: what its
   * memory holds at {@code bytesPerConnection} (the injector's fitted RSS per stream), and what
   * its cores carry at the largest measured step's injector CPU per stream per second; the fewer
   * of the two, with how each was found. Null when neither is known.
   */
  public static CapacityReport.InjectorMachine injectorMachine(List<CapacityReport.Step> steps, Long bytesPerConnection,
      long machineMemoryBytes, int cores) {
    List<String> basis = new ArrayList<>();
    Long fewest = null;
    if (bytesPerConnection != null && bytesPerConnection > 0 && machineMemoryBytes > 0) {
      long byMemory = machineMemoryBytes / bytesPerConnection;
      fewest = byMemory;
      basis.add(String.format(Locale.ROOT, "memory: %,d (%s at %s per stream)", byMemory, Summary.bytes(machineMemoryBytes),
          Summary.bytes(bytesPerConnection)));
    }
    CapacityReport.Step largest = null;
    for (CapacityReport.Step s : steps) {
      if (s.injectorCpuMicrosPerDelivery() != null && s.held() > 0 && s.windowMs() != null && s.windowMs() > 0
          && (largest == null || s.held() > largest.held())) {
        largest = s;
      }
    }
    if (largest != null && cores > 0) {
      double perStreamPerSecond = largest.delivered() / (largest.windowMs() / 1000.0) / largest.held();
      double coresPerStream = largest.injectorCpuMicrosPerDelivery() * perStreamPerSecond / 1e6;
      if (coresPerStream > 0) {
        long byCpu = (long) Math.floor(cores / coresPerStream + 1e-6); // not 49,999 for a computed 50,000
        fewest = fewest == null ? byCpu : Math.min(fewest, byCpu);
        basis.add(String.format(Locale.ROOT, "CPU: %,d (%d cores at %.1f µs per delivery, %.2f deliveries per stream per"
            + " second, at the %,d-stream step; here the server shared those cores)", byCpu, cores,
            largest.injectorCpuMicrosPerDelivery(), perStreamPerSecond, largest.held()));
      }
    }
    return fewest == null ? null : new CapacityReport.InjectorMachine(fewest, String.join("; ", basis));
  }

  /** A percentile of a histogram in µs, in ms with two decimals, or null when it is empty. */
  public static Double percentileMs(Histogram h, double percentile) {
    return h == null || h.getTotalCount() == 0 ? null : ms(h.getValueAtPercentile(percentile));
  }

  /** The largest value of a histogram in µs, in ms with two decimals, or null when it is empty. */
  public static Double maxMs(Histogram h) {
    return h.getTotalCount() == 0 ? null : ms(h.getMaxValue());
  }

  /** {@code capacity.json}'s {@code connectMs} from the connect histogram (µs). */
  public static CapacityReport.ConnectMs connectMs(Histogram con) {
    return new CapacityReport.ConnectMs(percentileMs(con, 50), percentileMs(con, 95), percentileMs(con, 99), maxMs(con));
  }

  /** {@code capacity.json}'s {@code deliveryLatencyMs} from the delivery latency histogram (µs). */
  public static CapacityReport.DeliveryLatencyMs deliveryLatencyMs(Histogram lat) {
    return new CapacityReport.DeliveryLatencyMs(lat.getTotalCount(), percentileMs(lat, 50), percentileMs(lat, 95),
        percentileMs(lat, 99), percentileMs(lat, 99.9), maxMs(lat));
  }

  /** µs to ms with two decimals. */
  public static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  /**
   * A least-squares line; {@code r2} and {@code slopeStdErr} (the standard error of the slope) are
   * null with fewer than three points.
   */
  public record Line(double slope, double intercept, Double r2, int points, Double slopeStdErr) {
    public Line(double slope, double intercept, Double r2, int points) {
      this(slope, intercept, r2, points, null);
    }

    /** Whether the slope is at least {@code t} standard errors above zero (false without a standard error). */
    public boolean clearlyPositive(double t) {
      return slopeStdErr != null && slope > 0 && slope >= t * slopeStdErr;
    }
  }

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
    // Residual sum of squares syy·(1 - R²) over n - 2 degrees of freedom, spread over sxx.
    Double stdErr = n < 3 ? null : Math.sqrt(Math.max(0, syy - slope * sxy) / (n - 2) / sxx);
    return java.util.Optional.of(new Line(slope, intercept, r2, n, stdErr));
  }

  /**
   * The projection from memory alone, as before the capacity plan: the default objective, no file
   * or CPU limit, nothing lost.
   */
  public static CapacityReport.Projection project(
      Long baselineRss, List<RunRecord.StepRecord> steps, long target, long instanceMemory) {
    return project(baselineRss, steps.stream().map(Projections::step).toList(), true,
        new CapacityPlan.Basis(target, instanceMemory, CapacityPlan.DEFAULT_SLO_P99_MS, null, null, null));
  }

  /**
   * The projection: the fitted memory line (its figures as before), the {@link CapacityPlan} over
   * every limit, and the instances the binding limit needs for the target.
   *
   * @param baselineRss the server's RSS before any connection, or null
   * @param steps the measured steps, in increasing order
   * @param lossFree whether the run lost, duplicated and reordered nothing (else no step passes)
   */
  public static CapacityReport.Projection project(
      Long baselineRss, List<CapacityReport.Step> steps, boolean lossFree, CapacityPlan.Basis basis) {
    CapacityPlan.Result plan = CapacityPlan.plan(baselineRss, steps, lossFree, basis);
    Line l = plan.memoryLine();
    boolean memoryFitted = CapacityReport.Limit.LIMIT.equals(plan.plan().limit(CapacityPlan.MEMORY).state());
    Long slope = l == null ? null : Math.round(l.slope());
    Long perGiB = memoryFitted ? (long) Math.floor(GIB / l.slope()) : null;
    return new CapacityReport.Projection(perGiB, slope, l == null ? null : Math.round(l.intercept()),
        l == null ? null : round3(l.r2()), basis.targetConnections(), basis.instanceMemoryBytes(),
        plan.connectionsPerInstance(), plan.instancesForTarget(), assumptions(baselineRss, steps, l, plan.plan(), basis),
        plan.plan());
  }

  /**
   * The projection of a run against {@code target}: {@link #project(Long, List, boolean,
   * CapacityPlan.Basis) project} for one instance. For several ({@code --urls}) every limit the
   * plan sizes is one instance's (its memory, files, cores, and the connections it held within the
   * objective), and the steps count every instance's connections: with each instance's process
   * read ({@code --server-pid} one per instance: memory and CPU time summed over them), one
   * instance is sized from the steps divided by the instance count, as the connections went to them
   * in turn ({@link #perInstance}); without, nothing is projected.
   */
  public static CapacityReport.Projection project(CapacityReport.Target target, Long baselineRss,
      List<CapacityReport.Step> steps, boolean lossFree, CapacityPlan.Basis basis) {
    int n = target.instances();
    if (n == 1) {
      return project(baselineRss, steps, lossFree, basis);
    }
    if (baselineRss == null) {
      return CapacityReport.Projection.none(String.format(Locale.ROOT, "Not projected: the connections were spread over"
          + " %d instances, and the projection sizes one instance (its memory, file descriptors, CPU, and the connections"
          + " it held within the objective); the steps count all %d instances' connections together and the instances'"
          + " memory was not read. Give one --server-pid per instance (in --urls order; a pid that cannot be read leaves"
          + " it unread), or measure one instance alone (--url with --server-pid) to size it.", n, n));
    }
    CapacityReport.Projection each = project(baselineRss / n, steps.stream().map(s -> perInstance(s, n)).toList(), lossFree,
        basis);
    return new CapacityReport.Projection(each.connectionsPerGiB(), each.bytesPerConnection(), each.baseRssBytes(),
        each.fitR2(), each.targetConnections(), each.instanceMemoryBytes(), each.connectionsPerInstance(),
        each.instancesForTarget(), String.format(Locale.ROOT, "One instance sized from the %d measured together: each"
            + " step's connections, server memory (summed over the %d processes) and CPU time divided by %d, the"
            + " connections having gone to the instances in turn; a step's latency is the instances' together. ", n, n, n)
            + each.assumptions(), each.plan());
  }

  /**
   * One of {@code n} instances' share of a step measured over all of them: connections, memory,
   * deliveries and CPU time divided by {@code n}; latencies and windows as they are.
   */
  static CapacityReport.Step perInstance(CapacityReport.Step s, int n) {
    return new CapacityReport.Step(s.connections() / n, s.rssBytes() == null ? null : s.rssBytes() / n, s.deliveryP99Ms(),
        s.target() / n, s.deliveryP50Ms(), s.windowMs(), s.delivered() == null ? null : s.delivered() / n,
        s.serverCpuSeconds() == null ? null : s.serverCpuSeconds() / n,
        s.connectionsMin() == null ? null : s.connectionsMin() / n, s.serverCpuWindowMs());
  }

  /** Whether nothing was lost, duplicated or out of order (a step of a run that lost anything does not pass). */
  public static boolean lossFree(CapacityReport.Events e) {
    return e.lost() == 0 && e.duplicated() == 0 && e.outOfOrder() == 0;
  }

  /**
   * The basis an earlier projection was made on (a run's, to project a merge or a re-read report
   * the same way); the defaults where it recorded none.
   */
  public static CapacityPlan.Basis basis(CapacityReport.Projection p, long defaultTarget, long defaultInstanceMemory) {
    CapacityReport.Plan plan = p.plan();
    return new CapacityPlan.Basis(
        p.targetConnections() != null ? p.targetConnections() : defaultTarget,
        p.instanceMemoryBytes() != null ? p.instanceMemoryBytes() : defaultInstanceMemory,
        plan != null && plan.sloP99Ms() != null ? plan.sloP99Ms() : CapacityPlan.DEFAULT_SLO_P99_MS,
        plan == null ? null : plan.serverMaxFiles() != null ? plan.serverMaxFiles() : unlimitedFiles(plan),
        plan == null ? null : plan.serverFilesAtStart(), plan == null ? null : plan.cores(),
        plan == null ? null : plan.eventsPerConnectionPerSecond(), plan != null && Boolean.TRUE.equals(plan.coresShared()));
  }

  /** {@link CapacityPlan#UNLIMITED_FILES} when the plan found the server's file limit unlimited, else null. */
  private static Long unlimitedFiles(CapacityReport.Plan plan) {
    CapacityReport.Limit files = plan.limit(CapacityPlan.FILES);
    return files != null && CapacityReport.Limit.NOT_REACHED.equals(files.state()) ? CapacityPlan.UNLIMITED_FILES : null;
  }

  /** How the figures were made, in words, to be read next to them. */
  private static String assumptions(Long baselineRss, List<CapacityReport.Step> steps, Line l, CapacityReport.Plan plan,
      CapacityPlan.Basis basis) {
    StringBuilder sb = new StringBuilder();
    if (l != null) {
      sb.append(String.format(Locale.ROOT,
          "Server RSS fitted as a straight line over %d points (%s): %,.0f bytes per connection on top of %s%s. ",
          l.points(),
          baselineRss != null ? "the baseline with no connection and each step's median RSS with its connections open"
              : "each step's median RSS with its connections open",
          l.slope(), Summary.bytes(Math.round(l.intercept())),
          l.r2() == null ? " (no R²: a line through two points always fits them, so nothing says memory grows linearly)"
              : String.format(Locale.ROOT, ", R² %.3f", l.r2())));
    }
    sb.append(String.format(Locale.ROOT, "A step passes with delivery p99 ≤ %s ms and nothing lost. Limits per instance: ",
        CapacityPlan.num(basis.sloP99Ms())));
    List<String> parts = new ArrayList<>();
    for (CapacityReport.Limit limit : plan.limits()) {
      parts.add(limit.name() + " " + (limit.connectionsPerInstance() != null
          ? String.format(Locale.ROOT, "%,d", limit.connectionsPerInstance()) : limit.state()) + " (" + limit.basis() + ")");
    }
    sb.append(String.join("; ", parts)).append(". ");
    if (!plan.status().equals(CapacityReport.Plan.PROJECTED)) {
      return sb.append(Character.toUpperCase(plan.headline().charAt(0))).append(plan.headline().substring(1)).append('.').toString();
    }
    long largest = steps.stream().mapToLong(CapacityReport.Step::connections).max().orElse(0);
    Long per = plan.limit(plan.bindingLimit()).connectionsPerInstance();
    if (per != null && per > largest) {
      sb.append(String.format(Locale.ROOT, "The binding limit, %,d per instance, is beyond the most connections measured"
          + " (%,d): latency, memory and CPU there are extrapolated; run steps nearer it. ", per, largest));
    }
    return sb.append("Assumes this run's event rate and payload size, limits that grow linearly past the largest step,"
        + " one server process per instance, and no headroom (leave some).").toString();
  }

  private static Double round3(Double v) {
    return v == null ? null : Math.round(v * 1000) / 1000.0;
  }
}
