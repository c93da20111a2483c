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
 *       breaks (the knee, interpolated);
 *   <li>connections held: when a step could not open (or keep) all its connections, the most any
 *       step held — the server (or the path to it) stopped accepting or holding more there.
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
  public static final String HELD = "connections-held";

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
  /** {@link Basis#serverMaxFiles} when the server's open-file limit is "unlimited". */
  public static final long UNLIMITED_FILES = Long.MAX_VALUE;

  private CapacityPlan() {}

  /**
   * What the plan needs besides the steps.
   *
   * @param serverMaxFiles the server's open-file limit ({@link #UNLIMITED_FILES} when unlimited), or
   *     null when unknown
   * @param serverFilesAtStart files the server held before the run, or null
   * @param cores the cores one instance may keep busy, or null
   * @param eventsPerConnectionPerSecond the events each connection is sent per second (the run's
   *     publish rate), or null when not known
   * @param coresShared whether the injector ran on the same machine, sharing those cores
   */
  public record Basis(long targetConnections, long instanceMemoryBytes, double sloP99Ms, Long serverMaxFiles,
      Long serverFilesAtStart, Integer cores, Double eventsPerConnectionPerSecond, boolean coresShared) {
    /** A basis without an event rate, the injector on another machine. */
    public Basis(long targetConnections, long instanceMemoryBytes, double sloP99Ms, Long serverMaxFiles,
        Long serverFilesAtStart, Integer cores) {
      this(targetConnections, instanceMemoryBytes, sloP99Ms, serverMaxFiles, serverFilesAtStart, cores, null, false);
    }
  }

  /** The plan, with the memory line it rests on (null when none could be drawn) and the sizing. */
  public record Result(Plan plan, Projections.Line memoryLine, Long connectionsPerInstance, Long instancesForTarget) {}

  /** A limit's name as people read it: "file descriptors", "CPU", "connections held". */
  public static String displayName(String name) {
    return switch (name) {
      case FILES -> "file descriptors";
      case CPU -> "CPU";
      case HELD -> "connections held";
      default -> name;
    };
  }

  /** The plan for a run's steps (in increasing order) and server RSS baseline. */
  public static Result plan(Long baselineRss, List<Step> steps, boolean lossFree, Basis b) {
    Memory mem = memory(baselineRss, steps, b.instanceMemoryBytes());
    Cpu cpu = cpu(steps, b.cores(), b.eventsPerConnectionPerSecond(), b.coresShared());
    Latency lat = latency(steps, b.sloP99Ms());
    List<Limit> limits = List.of(mem.limit(), files(b.serverMaxFiles(), b.serverFilesAtStart()), cpu.limit(), lat.limit(),
        held(steps));
    boolean timed = timed(steps);
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
              + " run smaller steps", num(b.sloP99Ms()), steps.get(0).target(), miss(steps.get(0), b.sloP99Ms(), lossFree, timed));
    } else {
      binding = binding(limits);
      long per = binding.connectionsPerInstance();
      instances = per > 0 ? ceilDiv(b.targetConnections(), per) : null;
      status = Plan.PROJECTED;
      headline = headline(binding, instances, b);
    }
    headline += notMeasured(limits, status);
    Long maxFiles = b.serverMaxFiles() != null && b.serverMaxFiles() == UNLIMITED_FILES ? null : b.serverMaxFiles();
    Plan plan = new Plan(status, headline, b.sloP99Ms(), largest, binding == null ? null : binding.name(), lat.knee(),
        maxFiles, b.serverFilesAtStart(), cpu.perEvent(), b.cores(), limits, b.eventsPerConnectionPerSecond(),
        b.cores() == null ? null : b.coresShared());
    return new Result(plan, mem.line(), binding == null ? null : binding.connectionsPerInstance(), instances);
  }

  /**
   * "; not measured: file descriptors, CPU" for the limits that were not measured, so a headline
   * naming one limit as binding does not read as if the others had been checked; empty when all
   * were. Memory is left out when the headline is already about it (not enough data).
   */
  static String notMeasured(List<Limit> limits, String status) {
    List<String> names = limits.stream().filter(l -> Limit.NOT_MEASURED.equals(l.state()))
        .filter(l -> !(Plan.NOT_ENOUGH_DATA.equals(status) && MEMORY.equals(l.name())))
        .map(l -> displayName(l.name())).toList();
    return names.isEmpty() ? "" : "; not measured: " + String.join(", ", names);
  }

  /** The limit with the fewest connections per instance (the first of equals). */
  static Limit binding(List<Limit> limits) {
    return limits.stream().filter(l -> Limit.LIMIT.equals(l.state()) && l.connectionsPerInstance() != null)
        .min(Comparator.comparingLong(Limit::connectionsPerInstance)).orElseThrow();
  }

  /** Whether any step timed a delivery (else no step can miss on latency or on its lack). */
  static boolean timed(List<Step> steps) {
    return steps.stream().anyMatch(s -> s.deliveryP99Ms() != null);
  }

  /** The index of the largest step that passed with every step before it, or -1. */
  static int lastPassing(List<Step> steps, double slo, boolean lossFree) {
    boolean timed = timed(steps);
    int last = -1;
    for (int i = 0; i < steps.size() && miss(steps.get(i), slo, lossFree, timed) == null; i++) {
      last = i;
    }
    return last;
  }

  /**
   * Why a step missed the objective, or null when it passed: loss anywhere in the run (loss is
   * counted per run, not per step), fewer connections open at any sample of its window than the
   * step asked for, delivery p99 over the objective, or (when the run timed deliveries at all) no
   * delivery timed in its window.
   */
  static String miss(Step s, double slo, boolean lossFree, boolean timed) {
    if (!lossFree) {
      return "events lost, duplicated or out of order in the run";
    }
    if (s.held() < s.target()) {
      return String.format(Locale.ROOT, "%,d of its %,d connections open", s.held(), s.target());
    }
    if (untimed(s, timed)) {
      return "no delivery timed in its window";
    }
    if (s.deliveryP99Ms() != null && s.deliveryP99Ms() > slo) {
      return String.format(Locale.ROOT, "delivery p99 %s ms", num(s.deliveryP99Ms()));
    }
    return null;
  }

  /** A step with connections that timed no delivery, in a run that timed some: it does not pass. */
  private static boolean untimed(Step s, boolean timed) {
    return timed && s.connections() > 0 && s.deliveryP99Ms() == null;
  }

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

  /** ⌈a / b⌉ for a ≥ 0 and b &gt; 0, without overflow near {@link Long#MAX_VALUE}. */
  static long ceilDiv(long a, long b) {
    return a == 0 ? 0 : (a - 1) / b + 1;
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
      case HELD -> String.format(Locale.ROOT, "connections held — the server stopped accepting or holding more at %,d", per);
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
