package dev.ssekit.load.report;

import dev.ssekit.load.report.CapacityReport.Limit;
import dev.ssekit.load.report.CapacityReport.Plan;
import dev.ssekit.load.report.CapacityReport.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * How many connections one server instance holds, by each limit, and which one binds:
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
 *       breaks (the knee, interpolated).
 * </ul>
 *
 * <p>A run too small or too noisy to fit memory (fewer than {@link #MIN_STEPS} steps, R² below
 * {@link #MIN_R2}, a slope not {@link #MIN_T} standard errors above zero) projects nothing: it
 * says there is not enough data rather than give a number made of noise.
 */
public final class CapacityPlan {
  public static final String MEMORY = "memory";
  public static final String FILES = "file-descriptors";
  public static final String CPU = "cpu";
  public static final String LATENCY = "latency";

  /** The default delivery p99 objective. */
  public static final double DEFAULT_SLO_P99_MS = 250;
  /** A fit needs this many steps: two points always make a line. */
  public static final int MIN_STEPS = 3;
  /** A fit this far from a line (R² below it) is noise, not a trend. */
  public static final double MIN_R2 = 0.8;
  /** A slope must be at least this many standard errors above zero to count as growth. */
  public static final double MIN_T = 2;
  /** Files kept for the server's own use when how many it held before the run is unknown. */
  public static final long FILES_RESERVED = 100;

  private CapacityPlan() {}

  /**
   * What the plan needs besides the steps.
   *
   * @param serverMaxFiles the server's open-file limit, or null when unknown
   * @param serverFilesAtStart files the server held before the run, or null
   * @param cores the cores one instance may keep busy, or null
   */
  public record Basis(long targetConnections, long instanceMemoryBytes, double sloP99Ms, Long serverMaxFiles,
      Long serverFilesAtStart, Integer cores) {}

  /** The plan, with the memory line it rests on (null when none could be drawn) and the sizing. */
  public record Result(Plan plan, Projections.Line memoryLine, Long connectionsPerInstance, Long instancesForTarget) {}

  /** The plan for a run's steps (in increasing order) and server RSS baseline. */
  public static Result plan(Long baselineRss, List<Step> steps, boolean lossFree, Basis b) {
    Memory mem = memory(baselineRss, steps, b.instanceMemoryBytes());
    Cpu cpu = cpu(steps, b.cores());
    Latency lat = latency(steps, b.sloP99Ms());
    List<Limit> limits = List.of(mem.limit(), files(b.serverMaxFiles(), b.serverFilesAtStart()), cpu.limit(), lat.limit());
    int passing = lastPassing(steps, b.sloP99Ms(), lossFree);
    Long largest = passing < 0 ? null : steps.get(passing).connections();
    String status;
    String headline;
    Limit binding = null;
    Long instances = null;
    if (!Limit.LIMIT.equals(mem.limit().state())) {
      status = Plan.NOT_ENOUGH_DATA;
      headline = "not enough data to project: " + mem.limit().basis();
    } else if (passing < 0) {
      status = Plan.NO_PASSING_STEP;
      headline = steps.isEmpty() ? "no step was measured"
          : String.format(Locale.ROOT, "no step passed (p99 ≤ %s ms, nothing lost): the first, %,d connections, had %s;"
              + " run smaller steps", num(b.sloP99Ms()), steps.get(0).target(), miss(steps.get(0), b.sloP99Ms(), lossFree));
    } else {
      binding = binding(limits);
      long per = binding.connectionsPerInstance();
      instances = per > 0 ? ceilDiv(b.targetConnections(), per) : null;
      status = Plan.PROJECTED;
      headline = headline(binding, instances, b);
    }
    Plan plan = new Plan(status, headline, b.sloP99Ms(), largest, binding == null ? null : binding.name(), lat.knee(),
        b.serverMaxFiles(), b.serverFilesAtStart(), cpu.perEvent(), b.cores(), limits);
    return new Result(plan, mem.line(), binding == null ? null : binding.connectionsPerInstance(), instances);
  }

  /** The limit with the fewest connections per instance (the first of equals). */
  static Limit binding(List<Limit> limits) {
    return limits.stream().filter(l -> Limit.LIMIT.equals(l.state()) && l.connectionsPerInstance() != null)
        .min(Comparator.comparingLong(Limit::connectionsPerInstance)).orElseThrow();
  }

  /** The index of the largest step that passed with every step before it, or -1. */
  static int lastPassing(List<Step> steps, double slo, boolean lossFree) {
    int last = -1;
    for (int i = 0; i < steps.size() && miss(steps.get(i), slo, lossFree) == null; i++) {
      last = i;
    }
    return last;
  }

  /**
   * Why a step missed the objective, or null when it passed: loss anywhere in the run (loss is
   * counted per run, not per step), fewer connections open than the step asked for, or delivery
   * p99 over the objective (or no delivery timed, when the run timed deliveries at all).
   */
  static String miss(Step s, double slo, boolean lossFree) {
    if (!lossFree) {
      return "events lost, duplicated or out of order in the run";
    }
    if (s.connections() < s.target()) {
      return String.format(Locale.ROOT, "%,d of its %,d connections open", s.connections(), s.target());
    }
    if (s.deliveryP99Ms() != null && s.deliveryP99Ms() > slo) {
      return String.format(Locale.ROOT, "delivery p99 %s ms", num(s.deliveryP99Ms()));
    }
    return null;
  }

  record Memory(Limit limit, Projections.Line line) {}

  static Memory memory(Long baselineRss, List<Step> steps, long instanceMemory) {
    List<double[]> points = new ArrayList<>();
    if (baselineRss != null) {
      points.add(new double[] {0, baselineRss});
    }
    long measured = 0;
    for (Step s : steps) {
      if (s.rssBytes() != null && s.connections() > 0) {
        points.add(new double[] {s.connections(), s.rssBytes()});
        measured++;
      }
    }
    Projections.Line line = Projections.fit(points).orElse(null);
    if (measured == 0) {
      return new Memory(new Limit(MEMORY, null, Limit.NOT_MEASURED,
          "server memory was not measured (give --metrics-url or --server-pid)"), line);
    }
    String why = measured < MIN_STEPS
        ? String.format(Locale.ROOT, "%d step%s with server memory measured; at least %d are needed to tell growth"
            + " from noise (run --scenario capacity)", measured, measured == 1 ? "" : "s", MIN_STEPS)
        : line == null || line.r2() == null ? "the steps' connection counts do not differ"
        : line.r2() < MIN_R2 ? String.format(Locale.ROOT, "server RSS against connections is not a line (R² %.3f, below %.1f)",
            line.r2(), MIN_R2)
        : !line.clearlyPositive(MIN_T) ? String.format(Locale.ROOT, "the fitted %s per connection (± %s) is not clearly"
            + " above zero", Summary.bytes(Math.round(line.slope())), Summary.bytes(Math.round(line.slopeStdErr())))
        : null;
    if (why != null) {
      return new Memory(new Limit(MEMORY, null, Limit.NOT_ENOUGH_DATA, why), line);
    }
    long per = Math.max(0, (long) Math.floor((instanceMemory - line.intercept()) / line.slope()));
    return new Memory(new Limit(MEMORY, per, Limit.LIMIT, String.format(Locale.ROOT,
        "%s per connection on top of %s (R² %.3f over %d points): an instance of %s holds %,d",
        Summary.bytes(Math.round(line.slope())), Summary.bytes(Math.round(line.intercept())), line.r2(), line.points(),
        Summary.bytes(instanceMemory), per)), line);
  }

  static Limit files(Long maxFiles, Long filesAtStart) {
    if (maxFiles == null) {
      return new Limit(FILES, null, Limit.NOT_MEASURED,
          "the server's open-file limit is not known (give --server-pid or --server-max-files)");
    }
    long reserved = filesAtStart != null ? filesAtStart : FILES_RESERVED;
    long per = Math.max(0, maxFiles - reserved);
    return new Limit(FILES, per, Limit.LIMIT, String.format(Locale.ROOT,
        "each connection holds a file; the server may open %,d and %s", maxFiles,
        filesAtStart != null ? String.format(Locale.ROOT, "held %,d before the run", filesAtStart)
            : String.format(Locale.ROOT, "%,d are kept for its own (how many it held before the run was not read)", reserved)));
  }

  record Cpu(Limit limit, Double perEvent) {}

  static Cpu cpu(List<Step> steps, Integer cores) {
    List<double[]> points = new ArrayList<>();
    Step last = null;
    for (Step s : steps) {
      if (s.serverCpuSeconds() != null && s.windowMs() != null && s.windowMs() > 0 && s.delivered() != null
          && s.delivered() > 0 && s.connections() > 0) {
        double seconds = s.windowMs() / 1000.0;
        points.add(new double[] {s.delivered() / seconds, s.serverCpuSeconds() / seconds});
        last = s;
      }
    }
    if (points.isEmpty() || cores == null) {
      return new Cpu(new Limit(CPU, null, Limit.NOT_MEASURED,
          "the server's CPU time was not read (give --server-pid), or no delivery was timed"), null);
    }
    Projections.Line line = Projections.fit(points).orElse(null);
    String why = points.size() < MIN_STEPS ? String.format(Locale.ROOT, "%d step%s with CPU and deliveries measured;"
            + " at least %d are needed", points.size(), points.size() == 1 ? "" : "s", MIN_STEPS)
        : line == null || line.r2() == null ? "the steps' event rates do not differ"
        : line.r2() < MIN_R2 ? String.format(Locale.ROOT, "server CPU against delivered events is not a line (R² %.3f)", line.r2())
        : !line.clearlyPositive(MIN_T) ? "the CPU per delivered event is not clearly above zero"
        : null;
    if (why != null) {
      return new Cpu(new Limit(CPU, null, Limit.NOT_ENOUGH_DATA, why), null);
    }
    double eventsPerConnection = last.delivered() / (last.windowMs() / 1000.0) / last.connections();
    long per = Math.max(0, (long) Math.floor((cores - line.intercept()) / (line.slope() * eventsPerConnection)));
    return new Cpu(new Limit(CPU, per, Limit.LIMIT, String.format(Locale.ROOT,
        "%.2f µs of server CPU per delivered event (R² %.3f over %d steps), %.2f events/s per connection:"
            + " %d core%s busy at %,d", line.slope() * 1e6, line.r2(), points.size(), eventsPerConnection, cores,
        cores == 1 ? "" : "s", per)), line.slope());
  }

  record Latency(Limit limit, Long knee) {}

  static Latency latency(List<Step> steps, double slo) {
    if (steps.stream().allMatch(s -> s.deliveryP99Ms() == null)) {
      return new Latency(new Limit(LATENCY, null, Limit.NOT_MEASURED, "no delivery was timed"), null);
    }
    int f = 0;
    // A step with no delivery timed shows no breach (a run that lost events fails on loss instead).
    while (f < steps.size() && (steps.get(f).deliveryP99Ms() == null || steps.get(f).deliveryP99Ms() <= slo)) {
      f++;
    }
    if (f == steps.size()) {
      Step top = steps.get(f - 1);
      return new Latency(new Limit(LATENCY, null, Limit.NOT_REACHED, String.format(Locale.ROOT,
          "p99 met %s ms up to the largest step (%,d connections, p99 %s ms); beyond it, not measured", num(slo),
          top.connections(), num(top.deliveryP99Ms()))), null);
    }
    Step bad = steps.get(f);
    String badP99 = "p99 " + num(bad.deliveryP99Ms()) + " ms";
    if (f == 0) {
      return new Latency(new Limit(LATENCY, 0L, Limit.LIMIT, String.format(Locale.ROOT,
          "the smallest step (%,d connections) already missed %s ms: %s", bad.connections(), num(slo), badP99)), null);
    }
    Step ok = steps.get(f - 1);
    Long knee = ok.deliveryP99Ms() == null ? null
        : knee(ok.connections(), ok.deliveryP99Ms(), bad.connections(), bad.deliveryP99Ms(), slo);
    return new Latency(new Limit(LATENCY, ok.connections(), Limit.LIMIT, String.format(Locale.ROOT,
        "p99 %s ms at %,d connections, %s at %,d: the objective (%s ms) breaks between them%s; sized on the step that met it",
        num(ok.deliveryP99Ms()), ok.connections(), badP99, bad.connections(), num(slo),
        knee == null ? "" : String.format(Locale.ROOT, " (about %,d, interpolated)", knee))), knee);
  }

  /** Where a straight line from (x0, y0) to (x1, y1) reaches {@code y}, rounded down. */
  static long knee(long x0, double y0, long x1, double y1, double y) {
    if (y1 <= y0) {
      return x0;
    }
    return x0 + (long) Math.floor((y - y0) * (x1 - x0) / (y1 - y0));
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** "binding limit: file descriptors — 20,000 per process → 6 instances for 100,000 connections". */
  static String headline(Limit binding, Long instances, Basis b) {
    long per = binding.connectionsPerInstance();
    String what = switch (binding.name()) {
      case MEMORY -> String.format(Locale.ROOT, "memory — %,d connections per %s instance", per,
          Summary.bytes(b.instanceMemoryBytes()));
      case FILES -> String.format(Locale.ROOT, "file descriptors — %,d per process (%,d connections)",
          b.serverMaxFiles(), per);
      case CPU -> String.format(Locale.ROOT, "CPU — %,d connections on %d core%s", per, b.cores(), b.cores() == 1 ? "" : "s");
      default -> per == 0 ? String.format(Locale.ROOT, "latency — no step met p99 ≤ %s ms", num(b.sloP99Ms()))
          : String.format(Locale.ROOT, "latency — p99 ≤ %s ms up to %,d connections", num(b.sloP99Ms()), per);
    };
    return "binding limit: " + what + (instances == null ? "; no instance count"
        : String.format(Locale.ROOT, " → %,d instance%s for %,d connections", instances, instances == 1 ? "" : "s",
            b.targetConnections()));
  }

  /** A number without a trailing ".0". */
  static String num(Double v) {
    if (v == null) {
      return "n/a";
    }
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
