package dev.ssekit.load.report;

import static dev.ssekit.load.report.CapacityPlan.CPU;
import static dev.ssekit.load.report.CapacityPlan.FILES;
import static dev.ssekit.load.report.CapacityPlan.FILES_RESERVED;
import static dev.ssekit.load.report.CapacityPlan.HELD;
import static dev.ssekit.load.report.CapacityPlan.LATENCY;
import static dev.ssekit.load.report.CapacityPlan.MEMORY;
import static dev.ssekit.load.report.CapacityPlan.MIN_R2;
import static dev.ssekit.load.report.CapacityPlan.MIN_STEPS;
import static dev.ssekit.load.report.CapacityPlan.MIN_T;
import static dev.ssekit.load.report.CapacityPlan.UNLIMITED_FILES;
import static dev.ssekit.load.report.CapacityPlan.num;
import static dev.ssekit.load.report.CapacityPlan.timed;
import static dev.ssekit.load.report.CapacityPlan.untimed;

import dev.ssekit.load.report.CapacityReport.Limit;
import dev.ssekit.load.report.CapacityReport.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Each limit on the connections one server instance holds, found from the run's steps; {@link
 * CapacityPlan} chooses the one that binds.
 *
 * <ul>
 *   <li>memory: a straight line fitted to server RSS against connections (the baseline and every
 *       step), and what an instance of {@code --instance-memory} holds at it;
 *   <li>file descriptors: one per connection, up to the server's own limit less the files it held
 *       before the run;
 *   <li>CPU: a line fitted to the server's busy cores against delivered events per second (its
 *       slope is CPU seconds per delivered event), and the connections at which the instance's
 *       cores would be busy at this run's events per connection;
 *   <li>latency: the largest step, every smaller one passing too, whose delivery p99 met the
 *       objective ({@code --slo-p99}) with nothing lost, and where between steps the objective
 *       breaks (the knee, interpolated);
 *   <li>connections held: when a step could not open (or keep) all its connections, the most any
 *       step held — the server (or the path to it) stopped accepting or holding more there.
 * </ul>
 *
 * <p>The two fitted limits, memory and CPU, give no number for a line made of noise ({@link #unfit}).
 */
final class PlanLimits {
  private PlanLimits() {}

  /** Why a fitted line gives no number, in full and in a few words; null when it does. */
  record Unfit(String full, String brief) {}

  /**
   * The same chain for memory and CPU: too few points, x values that do not differ, not a line,
   * a slope not clearly above zero.
   *
   * @param what what each point needs measured, e.g. "server memory"
   * @param hint what to do about too few points, e.g. " (run --scenario capacity)", or ""
   * @param xs what the points' x values are, e.g. "connection counts"
   * @param relation y against x, e.g. "server RSS against connections"
   * @param slope the slope in words, e.g. "the fitted 2.0 KiB per connection (± 1.5 KiB)"
   */
  static Unfit unfit(int n, Projections.Line line, String what, String hint, String xs, String relation,
      java.util.function.Function<Projections.Line, String> slope) {
    if (n < MIN_STEPS) {
      return new Unfit(String.format(Locale.ROOT, "%d step%s with %s measured; at least %d are needed to tell growth"
          + " from noise%s", n, n == 1 ? "" : "s", what, MIN_STEPS, hint),
          String.format(Locale.ROOT, "%d step%s measured, %d needed", n, n == 1 ? "" : "s", MIN_STEPS));
    }
    if (line == null || line.r2() == null) {
      return new Unfit("the steps' " + xs + " do not differ", "the steps' " + xs + " do not differ");
    }
    if (line.r2() < MIN_R2) {
      return new Unfit(String.format(Locale.ROOT, "%s is not a line (R² %.3f, below %.1f)", relation, line.r2(), MIN_R2),
          String.format(Locale.ROOT, "not a line (R² %.3f)", line.r2()));
    }
    if (!line.clearlyPositive(MIN_T)) {
      return new Unfit(slope.apply(line) + " is not clearly above zero", "slope not clearly above zero");
    }
    return null;
  }

  record Memory(Limit limit, Projections.Line line) {}

  static Memory memory(Long baselineRss, List<Step> steps, long instanceMemory) {
    List<double[]> points = new ArrayList<>();
    if (baselineRss != null) {
      points.add(new double[] {0, baselineRss});
    }
    int measured = 0;
    for (Step s : steps) {
      if (s.rssBytes() != null && s.connections() > 0) {
        points.add(new double[] {s.connections(), s.rssBytes()});
        measured++;
      }
    }
    Projections.Line line = Projections.fit(points).orElse(null);
    if (measured == 0) {
      return new Memory(new Limit(MEMORY, null, Limit.NOT_MEASURED,
          "server memory was not measured (give --metrics-url or --server-pid)", "not read (--metrics-url or --server-pid)"),
          line);
    }
    Unfit why = unfit(measured, line, "server memory", " (run --scenario capacity)", "connection counts",
        "server RSS against connections", l -> String.format(Locale.ROOT, "the fitted %s per connection (± %s)",
            Summary.bytes(Math.round(l.slope())), Summary.bytes(Math.round(l.slopeStdErr()))));
    if (why != null) {
      return new Memory(new Limit(MEMORY, null, Limit.NOT_ENOUGH_DATA, why.full(), why.brief()), line);
    }
    long per = Math.max(0, (long) Math.floor((instanceMemory - line.intercept()) / line.slope()));
    return new Memory(new Limit(MEMORY, per, Limit.LIMIT, String.format(Locale.ROOT,
        "%s per connection on top of %s (R² %.3f over %d points): an instance of %s holds %,d",
        Summary.bytes(Math.round(line.slope())), Summary.bytes(Math.round(line.intercept())), line.r2(), line.points(),
        Summary.bytes(instanceMemory), per),
        String.format(Locale.ROOT, "%s per connection, R² %.3f", Summary.bytes(Math.round(line.slope())), line.r2())),
        line);
  }

  static Limit files(Long maxFiles, Long filesAtStart) {
    if (maxFiles == null) {
      return new Limit(FILES, null, Limit.NOT_MEASURED,
          "the server's open-file limit is not known (give --server-pid or --server-max-files)",
          "limit not known (--server-pid or --server-max-files)");
    }
    if (maxFiles == UNLIMITED_FILES) {
      return new Limit(FILES, null, Limit.NOT_REACHED, "the server's open-file limit is unlimited", "unlimited");
    }
    long reserved = filesAtStart != null ? filesAtStart : FILES_RESERVED;
    long per = Math.max(0, maxFiles - reserved);
    return new Limit(FILES, per, Limit.LIMIT, String.format(Locale.ROOT,
        "each connection holds a file; the server may open %,d and %s", maxFiles,
        filesAtStart != null ? String.format(Locale.ROOT, "held %,d before the run", filesAtStart)
            : String.format(Locale.ROOT, "%,d are kept for its own (how many it held before the run was not read)", reserved)),
        String.format(Locale.ROOT, "may open %,d, %,d %s", maxFiles, reserved,
            filesAtStart != null ? "held before the run" : "kept for its own"));
  }

  /**
   * The most connections held, when a step could not open or keep all it asked for: the server
   * stopped accepting or holding more there. Not reached when every step held its connections.
   */
  static Limit held(List<Step> steps) {
    Step first = steps.stream().filter(s -> s.held() < s.target()).findFirst().orElse(null);
    if (first == null) {
      return new Limit(HELD, null, Limit.NOT_REACHED, "every step opened and held all the connections it asked for",
          "every step held all it asked for");
    }
    long most = steps.stream().mapToLong(Step::connections).max().orElse(0);
    return new Limit(HELD, most, Limit.LIMIT, String.format(Locale.ROOT,
        "a step asked for %,d connections and held %,d at the fewest; no step held more than %,d: the server stopped"
            + " accepting or holding more there (the failures say why; an injector out of ports shows here too)",
        first.target(), first.held(), most),
        String.format(Locale.ROOT, "a step asked %,d, held %,d", first.target(), first.held()));
  }

  record Cpu(Limit limit, Double perEvent) {}

  /** The server's CPU seconds over a step's CPU readings, as busy cores; null when not measured. */
  private static Double busyCores(Step s) {
    Long span = s.serverCpuWindowMs() != null ? s.serverCpuWindowMs() : s.windowMs();
    return s.serverCpuSeconds() == null || span == null || span <= 0 ? null : s.serverCpuSeconds() / (span / 1000.0);
  }

  static Cpu cpu(List<Step> steps, Integer cores, Double eventsPerConnection, boolean shared) {
    List<double[]> points = new ArrayList<>();
    for (Step s : steps) {
      Double busy = busyCores(s);
      if (busy != null && s.windowMs() != null && s.windowMs() > 0 && s.delivered() != null && s.delivered() > 0
          && s.connections() > 0) {
        points.add(new double[] {s.delivered() / (s.windowMs() / 1000.0), busy});
      }
    }
    if (points.isEmpty() || cores == null) {
      return new Cpu(new Limit(CPU, null, Limit.NOT_MEASURED,
          "the server's CPU time was not read (give --server-pid), or no delivery was timed",
          "CPU time not read (--server-pid)"), null);
    }
    if (eventsPerConnection == null || eventsPerConnection <= 0) {
      return new Cpu(new Limit(CPU, null, Limit.NOT_MEASURED,
          "the events each connection is sent per second are not known (no publish rate, no count published)",
          "event rate not known"), null);
    }
    Projections.Line line = Projections.fit(points).orElse(null);
    Unfit why = unfit(points.size(), line, "CPU and deliveries", "", "event rates", "server CPU against delivered events",
        l -> String.format(Locale.ROOT, "the fitted %.2f µs of CPU per delivered event (± %.2f)", l.slope() * 1e6,
            l.slopeStdErr() * 1e6));
    if (why != null) {
      return new Cpu(new Limit(CPU, null, Limit.NOT_ENOUGH_DATA, why.full(), why.brief()), null);
    }
    long per = Math.max(0, (long) Math.floor((cores - line.intercept()) / (line.slope() * eventsPerConnection)));
    return new Cpu(new Limit(CPU, per, Limit.LIMIT, String.format(Locale.ROOT,
        "%.2f µs of server CPU per delivered event (R² %.3f over %d steps), %.2f events/s per connection (the publish"
            + " rate): %d core%s busy at %,d%s", line.slope() * 1e6, line.r2(), points.size(), eventsPerConnection, cores,
        cores == 1 ? "" : "s", per,
        shared ? "; the injector ran on the same machine (loopback) and shared the server's cores in this run, so the"
            + " server had less CPU than these cores while it was measured" : ""),
        String.format(Locale.ROOT, "%.2f µs per event, %s core%s%s", line.slope() * 1e6, cores, cores == 1 ? "" : "s",
            shared ? " shared with the injector" : "")), line.slope());
  }

  record Latency(Limit limit, Long knee) {}

  static Latency latency(List<Step> steps, double slo) {
    if (!timed(steps)) {
      return new Latency(new Limit(LATENCY, null, Limit.NOT_MEASURED, "no delivery was timed", "no delivery timed"), null);
    }
    int f = 0;
    // A step whose connections timed no delivery misses: in a run that timed deliveries, its
    // events did not get through in its window.
    while (f < steps.size() && !untimed(steps.get(f), true)
        && (steps.get(f).deliveryP99Ms() == null || steps.get(f).deliveryP99Ms() <= slo)) {
      f++;
    }
    if (f == steps.size()) {
      Step top = steps.get(f - 1);
      return new Latency(new Limit(LATENCY, null, Limit.NOT_REACHED, String.format(Locale.ROOT,
          "p99 met %s ms up to the largest step (%,d connections, p99 %s ms); beyond it, not measured", num(slo),
          top.connections(), num(top.deliveryP99Ms())),
          String.format(Locale.ROOT, "met up to %,d connections", top.connections())), null);
    }
    Step bad = steps.get(f);
    String badP99 = bad.deliveryP99Ms() == null ? "no delivery timed in its window"
        : "p99 " + num(bad.deliveryP99Ms()) + " ms";
    if (f == 0) {
      return new Latency(new Limit(LATENCY, 0L, Limit.LIMIT, String.format(Locale.ROOT,
          "the smallest step (%,d connections) already missed %s ms: %s", bad.connections(), num(slo), badP99),
          String.format(Locale.ROOT, "the smallest step missed: %s", badP99)), null);
    }
    Step ok = steps.get(f - 1);
    Long knee = ok.deliveryP99Ms() == null || bad.deliveryP99Ms() == null ? null
        : knee(ok.connections(), ok.deliveryP99Ms(), bad.connections(), bad.deliveryP99Ms(), slo);
    return new Latency(new Limit(LATENCY, ok.connections(), Limit.LIMIT, String.format(Locale.ROOT,
        "p99 %s ms at %,d connections, %s at %,d: the objective (%s ms) breaks between them%s; sized on the step that met it",
        num(ok.deliveryP99Ms()), ok.connections(), badP99, bad.connections(), num(slo),
        knee == null ? "" : String.format(Locale.ROOT, " (about %,d, interpolated)", knee)),
        String.format(Locale.ROOT, "p99 %s ms at %,d, %s at %,d", num(ok.deliveryP99Ms()), ok.connections(),
            bad.deliveryP99Ms() == null ? "untimed" : num(bad.deliveryP99Ms()) + " ms", bad.connections())), knee);
  }

  /**
   * Where a straight line from (x0, y0) to (x1, y1) reaches {@code y}, rounded down; null unless the
   * line rises to the right (x1 &gt; x0, y1 &gt; y0): a knee below the passing step means nothing.
   */
  static Long knee(long x0, double y0, long x1, double y1, double y) {
    if (x1 <= x0 || y1 <= y0) {
      return null;
    }
    return x0 + (long) Math.floor((y - y0) * (x1 - x0) / (y1 - y0));
  }
}
