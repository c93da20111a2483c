package dev.ssekit.load.report;

import dev.ssekit.load.report.CapacityReport.Limit;
import dev.ssekit.load.report.CapacityReport.Plan;
import dev.ssekit.load.report.CapacityReport.Step;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * How many connections one server instance holds, and which limit binds: each limit (memory, file
 * descriptors, CPU, latency, connections held) is found by {@link PlanLimits}; this class decides
 * which steps passed the objective (delivery p99 at most {@code --slo-p99}, nothing lost), picks
 * the limit with the fewest connections per instance, sizes the instances for the target and
 * words the headline.
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
    PlanLimits.Memory mem = PlanLimits.memory(baselineRss, steps, b.instanceMemoryBytes());
    PlanLimits.Cpu cpu = PlanLimits.cpu(steps, b.cores(), b.eventsPerConnectionPerSecond(), b.coresShared());
    PlanLimits.Latency lat = PlanLimits.latency(steps, b.sloP99Ms());
    List<Limit> limits = List.of(mem.limit(), PlanLimits.files(b.serverMaxFiles(), b.serverFilesAtStart()), cpu.limit(),
        lat.limit(), PlanLimits.held(steps));
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
  static boolean untimed(Step s, boolean timed) {
    return timed && s.connections() > 0 && s.deliveryP99Ms() == null;
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
